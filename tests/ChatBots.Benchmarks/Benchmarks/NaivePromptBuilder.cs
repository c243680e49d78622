using ChatBots.Engine.Conversations;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using Microsoft.Extensions.AI;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// The naive way to build a prompt, for comparison only: every turn, re-tokenize the summary and every kept message,
/// build fresh chat messages, and add the counts up. Same history, same result as the engine.
/// </summary>
internal static class NaivePromptBuilder
{
    public static List<ChatMessage> Build(PromptFactory prompts, ConversationHistory history, ModelInfo model, EngineOptions options, string text)
    {
        TokenCounter counter = prompts.Counter;
        string encoding = history.Encoding;
        string systemText = prompts.SystemText(Platform.Telegram, Composition.EngineComposition.Start, isGroup: false);
        var messages = new List<ChatMessage>(history.TurnCount + 3) { new(ChatRole.System, systemText) };
        long total = counter.CountMessage("system", systemText, null, encoding) + TokenCounter.ReplyPriming;
        if (history.SummaryMessage is { } summary)
        {
            messages.Add(new ChatMessage(ChatRole.System, summary.Text));
            total += counter.CountMessage("system", summary.Text, null, encoding);
        }

        foreach (HistoryTurn turn in history.Turns)
        {
            StoredTurn t = turn.Turn;
            messages.Add(PromptFactory.ToMessage(t));
            total += counter.CountMessage(t.Role == TurnRole.User ? "user" : "assistant", t.Text, t.AuthorName, encoding);
        }

        messages.Add(new ChatMessage(ChatRole.User, text));
        total += counter.CountMessage("user", text, null, encoding);
        WindowBudget window = WindowBudget.For(model, options);
        if (total > window.HighWater)
        {
            // A naive builder would trim here; the history is already within the window, so this never runs.
            messages.RemoveAt(1);
        }

        return messages;
    }
}
