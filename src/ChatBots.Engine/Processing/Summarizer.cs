using System.Text;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Processing;

/// <summary>Folds turns into the rolling summary with the (cheap) summary model, within a token bound.</summary>
public sealed class Summarizer
{
    private readonly ModelCaller _caller;
    private readonly ModelCatalogue _catalogue;
    private readonly LedgerRecorder _recorder;
    private readonly TokenCounter _counter;
    private readonly IOptionsMonitor<EngineOptions> _options;
    private readonly IOptionsMonitor<ModelSelectionOptions> _models;

    public Summarizer(
        ModelCaller caller,
        ModelCatalogue catalogue,
        LedgerRecorder recorder,
        TokenCounter counter,
        IOptionsMonitor<EngineOptions> options,
        IOptionsMonitor<ModelSelectionOptions> models)
    {
        _caller = caller;
        _catalogue = catalogue;
        _recorder = recorder;
        _counter = counter;
        _options = options;
        _models = models;
    }

    /// <summary>
    /// A new summary covering <paramref name="previous"/> and <paramref name="turns"/>, at most
    /// <see cref="EngineOptions.SummaryMaxTokens"/> tokens in <paramref name="encoding"/>. The call is billed to
    /// the conversation as a summary entry.
    /// </summary>
    public Task<(string Text, LedgerEntry Entry)> SummarizeAsync(
        ConversationKey conversation,
        string userId,
        string? previous,
        IEnumerable<StoredTurn> turns,
        string encoding,
        CancellationToken cancellationToken) =>
        SummarizeAsync(conversation, userId, Prepare(previous, turns), encoding, cancellationToken);

    /// <summary>Sends a prepared summary call (see <see cref="Prepare"/>) and bills it; the text is cut to the summary bound.</summary>
    public async Task<(string Text, LedgerEntry Entry)> SummarizeAsync(
        ConversationKey conversation,
        string userId,
        SummaryRequest request,
        string encoding,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ModelCallResult result = await _caller.CallAsync(
            request.Model,
            request.Messages,
            request.PromptTokens,
            request.MaxOutputTokens,
            sink: null,
            partial => _recorder.RecordChatAsync(conversation, userId, request.Model, partial, LedgerKind.Summary, CancellationToken.None),
            cancellationToken);
        LedgerEntry entry = await _recorder.RecordChatAsync(conversation, userId, request.Model, result, LedgerKind.Summary, CancellationToken.None);

        // The model may ignore the word limit and the reply limit (some compatible servers do): the bound holds anyway.
        return (TruncateEnd(result.Text.Trim(), request.MaxOutputTokens, encoding), entry);
    }

    /// <summary>The summary call for <paramref name="previous"/> and <paramref name="turns"/>, counted but not sent.</summary>
    public SummaryRequest Prepare(string? previous, IEnumerable<StoredTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        int maxTokens = _options.CurrentValue.SummaryMaxTokens;
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.SummaryModel);
        string instructions =
            "You keep the running memory of a chat between users and an assistant. Rewrite the summary so it also covers the new messages. " +
            "Keep who said what, names, facts, preferences, decisions and open questions; drop small talk. " +
            $"Write in the conversation's language, as plain sentences, in at most {maxTokens * 3 / 4} words.";

        var transcript = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(previous))
        {
            transcript.Append("Summary so far:\n").Append(previous).Append("\n\n");
        }

        transcript.Append("New messages:\n");
        foreach (StoredTurn turn in turns)
        {
            string who = turn.Role == TurnRole.Assistant ? "Assistant" : turn.AuthorName ?? "User";
            transcript.Append(who).Append(": ").Append(turn.Text).Append('\n');
        }

        // The summary call must fit the summary model too: keep the most recent part of an oversized transcript.
        int window = model.ContextWindow > 0 ? model.ContextWindow : 8_192;
        if (model.MaxInputTokens is { } maxInput)
        {
            window = Math.Min(window, maxInput + maxTokens);
        }

        int summaryWindow = Math.Max(1_024, window - maxTokens - 256);
        string input = TruncateStart(transcript.ToString(), summaryWindow, model.Encoding);

        List<ChatMessage> messages =
        [
            new(ChatRole.System, instructions),
            new(ChatRole.User, input),
        ];
        long promptTokens = _counter.CountMessage("system", instructions, null, model.Encoding)
            + _counter.CountMessage("user", input, null, model.Encoding) + TokenCounter.ReplyPriming;
        return new SummaryRequest(model, messages, promptTokens, maxTokens);
    }

    /// <summary>The text cut to at most <paramref name="maxTokens"/> tokens from its start.</summary>
    public static string TruncateEnd(string text, int maxTokens, string encoding)
    {
        var tokenizer = TokenCounter.GetTokenizer(encoding);
        int index = tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _);
        return index >= text.Length ? text : text[..index];
    }

    private static string TruncateStart(string text, int maxTokens, string encoding)
    {
        var tokenizer = TokenCounter.GetTokenizer(encoding);
        int index = tokenizer.GetIndexByTokenCountFromEnd(text, maxTokens, out _, out _);
        return index <= 0 ? text : text[index..];
    }
}
