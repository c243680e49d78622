using System.Text;
using ChatBots.Benchmarks.Composition;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Options;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// Replays a script under three policies billed by the same <see cref="BillingMeter"/>: ChatBots (the real engine),
/// (a) resend everything and drop the oldest message over the limit, (b) summarise everything into ~700 characters
/// past 15 messages or the limit. The limit is the engine's prompt budget for the same cap, so all get the same room.
/// </summary>
internal static class CostSimulator
{
    public const string ChatBots = "ChatBots";
    public const string ResendAll = "(a) resend, drop oldest";
    public const string SummarizeAll = "(b) summarise all @15";

    private const int BaselineSummaryChars = 700;
    private const int BaselineSummaryEvery = 15;
    private static readonly ConversationKey Key = new(Platform.Telegram, "1001");

    public static async Task<IReadOnlyList<PolicyResult>> RunAllAsync(SimScript script, SimSettings settings)
    {
        PolicyResult chatBots = await RunChatBotsAsync(script, settings);
        (ModelInfo model, int budget, string system) = await ContextAsync(script, settings);
        return [chatBots, RunResendAll(script, model, budget, system), RunSummarizeAll(script, model, budget, system)];
    }

    /// <summary>The real engine: window, eviction into the rolling summary, ledger.</summary>
    public static async Task<PolicyResult> RunChatBotsAsync(SimScript script, SimSettings settings)
    {
        var store = new InMemoryConversationStore();
        var stats = new PromptStats();
        BillingMeter? meter = null;
        SimChatClient? client = null;
        var lazy = new LazyClient(() => client!);
        await using EngineComposition engine = EngineComposition.Create(lazy, store, store, settings.EngineSettings());
        meter = new BillingMeter(engine.Get<ModelCatalogue>().Resolve(settings.Model));
        client = new SimChatClient(meter, stats);

        int messageNumber = 0;
        foreach (ScriptTurn turn in script.Turns)
        {
            client.NextAnswer = turn.Answer;
            // A platform message id as the adapters send it (the engine looks it up in case of a replay; none repeats).
            string messageId = (++messageNumber).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var message = new IncomingMessage(Key, AuthorId(turn.Speaker), turn.Speaker, turn.User)
            {
                IsGroup = script.IsGroup,
                MessageId = messageId,
                ReplyToMessageId = messageId,
            };
            var sink = new RecordingReplySink();
            if (engine.Engine.Enqueue(message, sink) != EnqueueResult.Accepted)
            {
                throw new InvalidOperationException("The engine refused a scripted message.");
            }

            await sink.WaitAsync();
            OutgoingReply? problem = sink.Replies.FirstOrDefault(r => r.Kind is ReplyKind.Error or ReplyKind.Notice);
            if (problem is not null)
            {
                throw new InvalidOperationException($"The engine answered a scripted message with a {problem.Kind}: {problem.Text}");
            }

            engine.Time.Advance(TimeSpan.FromSeconds(30));
        }

        // The engine prices what the meter billed: its ledger must agree to the micro-dollar.
        long ledger = store.Ledger.Sum(e => e.Cost.Value);
        long billed = meter.Calls.Sum(c => c.CostMicroUsd);
        if (ledger != billed)
        {
            throw new InvalidOperationException($"The engine's ledger ({ledger} µUSD) disagrees with the fake model's bill ({billed} µUSD).");
        }

        return Result(script, ChatBots, meter, stats);
    }

    /// <summary>Baseline (a): every message resent; the oldest messages dropped one by one while over the limit.</summary>
    public static PolicyResult RunResendAll(SimScript script, ModelInfo model, int budget, string system)
    {
        var meter = new BillingMeter(model);
        var stats = new PromptStats();
        var history = new List<SimMessage>();
        foreach (ScriptTurn turn in script.Turns)
        {
            SimMessage user = UserMessage(script, turn);
            List<SimMessage> prompt = [new("system", null, system), .. history, user];
            while (Count(meter, prompt) > budget && prompt.Count > 2)
            {
                prompt.RemoveAt(1);
                history.RemoveAt(0);
            }

            stats.RecordChatPrompt(prompt);
            meter.Bill(prompt, meter.CountText(turn.Answer), isSummary: false);
            history.Add(user);
            history.Add(new SimMessage("assistant", null, turn.Answer));
        }

        return Result(script, ResendAll, meter, stats);
    }

    /// <summary>
    /// Baseline (b): the whole history is summarised into about 700 characters whenever it passes 15 messages, or
    /// before a prompt that would pass the limit; the summary replaces every message.
    /// </summary>
    public static PolicyResult RunSummarizeAll(SimScript script, ModelInfo model, int budget, string system)
    {
        var meter = new BillingMeter(model);
        var stats = new PromptStats();
        var history = new List<SimMessage>();
        string? summary = null;
        foreach (ScriptTurn turn in script.Turns)
        {
            SimMessage user = UserMessage(script, turn);
            List<SimMessage> prompt = Prompt(system, summary, history, user);
            if (Count(meter, prompt) > budget && history.Count > 0)
            {
                summary = Summarize(meter, summary, history);
                prompt = Prompt(system, summary, history, user);
            }

            stats.RecordChatPrompt(prompt);
            meter.Bill(prompt, meter.CountText(turn.Answer), isSummary: false);
            history.Add(user);
            history.Add(new SimMessage("assistant", null, turn.Answer));
            if (history.Count > BaselineSummaryEvery)
            {
                summary = Summarize(meter, summary, history);
            }
        }

        return Result(script, SummarizeAll, meter, stats);

        static List<SimMessage> Prompt(string system, string? summary, List<SimMessage> history, SimMessage user) =>
            summary is null
                ? [new("system", null, system), .. history, user]
                : [new("system", null, system), new("system", null, "Summary of the earlier conversation:\n" + summary), .. history, user];
    }

    /// <summary>The model, the prompt budget and the system prompt the engine would use, for the baselines.</summary>
    public static async Task<(ModelInfo Model, int Budget, string System)> ContextAsync(SimScript script, SimSettings settings)
    {
        var store = new InMemoryConversationStore();
        await using EngineComposition engine = EngineComposition.Create(new ImmediateChatClient(), store, store, settings.EngineSettings());
        ModelInfo model = engine.Get<ModelCatalogue>().Resolve(settings.Model);
        EngineOptions options = engine.Get<IOptionsMonitor<EngineOptions>>().CurrentValue;
        string system = engine.Get<PromptFactory>().SystemText(Key.Platform, EngineComposition.Start, script.IsGroup);
        return (model, WindowBudget.For(model, options).Budget, system);
    }

    private static string Summarize(BillingMeter meter, string? previous, List<SimMessage> history)
    {
        const string instructions = "Summarise this conversation between users and an assistant in about 700 characters. Keep names, facts, preferences, decisions and open questions.";
        var transcript = new StringBuilder();
        if (previous is not null)
        {
            transcript.Append("Summary so far:\n").Append(previous).Append("\n\n");
        }

        foreach (SimMessage m in history)
        {
            transcript.Append(m.Role == "assistant" ? "Assistant" : m.Name ?? "User").Append(": ").Append(m.Text).Append('\n');
        }

        string input = transcript.ToString();
        string summary = input.Length <= BaselineSummaryChars ? input : input[..BaselineSummaryChars];
        meter.Bill([new("system", null, instructions), new("user", null, input)], meter.CountText(summary), isSummary: true);
        history.Clear();
        return summary;
    }

    internal static SimMessage UserMessage(SimScript script, ScriptTurn turn) =>
        new("user", script.IsGroup ? PromptFactory.SanitizeName(turn.Speaker, AuthorId(turn.Speaker)) : null, turn.User);

    // Stable across processes (string.GetHashCode is randomised): group names without Latin letters become user_<id>.
    private static string AuthorId(string speaker) => (1000 + (speaker.Sum(c => (int)c) % 9000)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long Count(BillingMeter meter, List<SimMessage> prompt)
    {
        long total = TokenCounter.ReplyPriming;
        foreach (SimMessage m in prompt)
        {
            total += TokenCounter.PerMessage + meter.CountText(m.Role) + meter.CountText(m.Text);
            if (!string.IsNullOrEmpty(m.Name))
            {
                total += meter.CountText(m.Name) + TokenCounter.PerName;
            }
        }

        return total;
    }

    private static PolicyResult Result(SimScript script, string policy, BillingMeter meter, PromptStats stats)
    {
        IReadOnlyList<BilledCall> calls = meter.Calls;
        long input = calls.Sum(c => c.InputTokens);
        long cached = calls.Sum(c => c.CachedInputTokens);
        List<BilledCall> chat = [.. calls.Where(c => !c.IsSummary)];
        List<BilledCall> summaries = [.. calls.Where(c => c.IsSummary)];
        return new PolicyResult(
            script.Name,
            policy,
            calls.Count,
            calls.Sum(c => c.CostMicroUsd),
            input == 0 ? 0 : (double)cached / input,
            chat.Count == 0 ? 0 : chat.Average(c => (double)c.InputTokens),
            summaries.Count,
            summaries.Sum(c => c.CostMicroUsd),
            calls.Sum(c => meter.Model.Prices.ChatCost(0, 0, c.OutputTokens).Value),
            stats.FewestKept(),
            stats.KeptAtLeast(8));
    }
}
