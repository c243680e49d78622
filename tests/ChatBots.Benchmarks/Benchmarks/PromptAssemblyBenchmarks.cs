using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ChatBots.Benchmarks.Composition;
using ChatBots.Benchmarks.Generation;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Processing;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// The per-turn prompt work of the engine against a naive recount, by stored history length and window.
/// <para>
/// A turn here is one stored message (a <c>StoredTurn</c>: a user message or an answer), not an exchange. Setup
/// pushes <see cref="Turns"/> turns (half questions, half answers) through the engine's window policy at the engine's
/// default settings (high/low-water eviction into a summary of <c>SummaryMaxTokens</c>), so the history in memory is
/// what the engine would hold: at a small window, only the tail that fits; user turns carry their platform message id
/// as the engine stores them. One operation of <see cref="Engine"/> is one turn as <c>ConversationEngine.AnswerAsync</c>
/// does it before the budget check and the model call: resolve the model, look the message id up among the stored
/// turns in case it is a replayed delivery (a new message: the look-up misses, the common case), take the cached
/// system message (<c>PromptFactory.SystemFor</c>), compute the window budget and the summary
/// allowance, count the new message once and check it fits, make its stored turn and message, run the high-water check
/// from the cached counts, and assemble the message list. The naive baseline re-tokenizes the system prompt, the
/// summary and every kept turn and builds new messages for them. Nothing is appended, so every operation sees the same
/// history.
/// </para>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PromptAssemblyBenchmarks
{
    private const string Encoding = TokenEncodings.O200kBase;
    private const string AuthorId = "telegram:42";
    private readonly ConcurrentDictionary<string, int> _drift = new(StringComparer.Ordinal);
    private EngineComposition? _engine;
    private string[] _newMessages = [];
    private string[] _newMessageIds = [];
    private int _next;
    private ConversationHistory _history = null!;
    private PromptFactory _prompts = null!;
    private ModelCatalogue _catalogue = null!;
    private IOptionsMonitor<EngineOptions> _options = null!;
    private string _modelId = "";

    [Params(10, 100, 200, 1_000, 10_000)]
    public int Turns { get; set; }

    [Params(4_000, 16_000, 128_000)]
    public int Window { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryConversationStore();
        Dictionary<string, string?> settings = EngineComposition.DefaultSettings();
        settings["Engine:ContextTokenCap"] = Window.ToString(CultureInfo.InvariantCulture);
        _modelId = settings["OpenAI:Model"]!;
        // Kept for the whole run: the engine's services (options monitor, catalogue) are used by every operation.
        _engine = EngineComposition.Create(new ImmediateChatClient(), store, store, settings);
        _prompts = _engine.Get<PromptFactory>();
        _catalogue = _engine.Get<ModelCatalogue>();
        _options = _engine.Get<IOptionsMonitor<EngineOptions>>();
        _newMessages = BenchmarkData.NewMessages(64, seed: 7);
        // Ids no stored turn has: a new message, not a replay.
        _newMessageIds = [.. Enumerable.Range(0, 64).Select(i => (900_000_000 + i).ToString(CultureInfo.InvariantCulture))];
        _history = Fill(_prompts, _catalogue.Resolve(_modelId), _options.CurrentValue, Turns);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
            _engine = null;
        }
    }

    [Benchmark(Baseline = true)]
    public int Engine()
    {
        int next = _next++ & 63;
        string text = _newMessages[next];
        string messageId = _newMessageIds[next];
        EngineOptions options = _options.CurrentValue;
        ModelInfo model = _catalogue.Resolve(_modelId);
        string encoding = model.Encoding;
        if (_history.AnswerTo(messageId) is not null)
        {
            throw new InvalidOperationException("A new benchmark message was taken for a replay.");
        }

        (ChatMessage system, int systemTokens) = _prompts.SystemFor(Platform.Telegram, EngineComposition.Start, isGroup: false, encoding);
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id));
        int summaryAllowance = Math.Max(_history.SummaryTokens, options.SummaryMaxTokens + 24);
        int messageTokens = _prompts.CountTurn(TurnRole.User, text, null, encoding);
        int maxMessageTokens = window.Budget - systemTokens - summaryAllowance - TokenCounter.ReplyPriming;
        if (messageTokens > maxMessageTokens)
        {
            // The engine would truncate here; the benchmark's messages (20–300 chars) always fit, so this never runs.
            throw new InvalidOperationException("A benchmark message does not fit the window.");
        }

        var userTurn = new StoredTurn(_history.NextSequence, TurnRole.User, AuthorId, null, text, messageTokens, encoding, EngineComposition.Start)
        {
            SourceMessageId = messageId,
        };
        ChatMessage userMessage = PromptFactory.ToMessage(userTurn);
        long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
        long promptTokens = fixedTokens + _history.SummaryTokens + _history.HistoryTokens;
        bool evict = promptTokens > window.HighWater;
        List<ChatMessage> prompt = _history.BuildPrompt(system, userMessage);
        return prompt.Count + (evict ? 1 : 0);
    }

    [Benchmark]
    public int Naive() => NaivePromptBuilder.Build(_prompts, _history, _catalogue.Resolve(_modelId), _options.CurrentValue, _newMessages[_next++ & 63]).Count;

    /// <summary>What each window keeps in memory, for the docs: kept turns and their tokens per case.</summary>
    internal static async Task<string> DescribeWindowsAsync()
    {
        var text = new System.Text.StringBuilder("Prompt assembly: stored turns (messages) and history tokens the engine keeps in memory per case, at the default window settings\n");
        foreach (int window in new[] { 4_000, 16_000, 128_000 })
        {
            foreach (int turns in new[] { 10, 100, 200, 1_000, 10_000 })
            {
                var bench = new PromptAssemblyBenchmarks { Turns = turns, Window = window };
                bench.Setup();
                await bench.CleanupAsync();
                text.AppendLine(CultureInfo.InvariantCulture, $"  window {window,7:N0}, {turns,6:N0} stored turns: {bench._history.TurnCount,4} kept, {bench._history.HistoryTokens,7:N0} history tokens + {bench._history.SummaryTokens} summary");
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The history the engine would hold after <paramref name="turns"/> stored turns at this window.</summary>
    internal static ConversationHistory Fill(PromptFactory prompts, ModelInfo model, EngineOptions options, int turns)
    {
        var history = new ConversationHistory(Encoding);
        // A summary as long as the engine allows, as after a real eviction.
        string summary = Summarizer.TruncateEnd(new TextSource(11).Chat(4_000), options.SummaryMaxTokens, Encoding);
        (ChatMessage summaryMessage, int summaryTokens) = prompts.Summary(summary, Encoding);
        (_, int systemTokens) = prompts.System(prompts.SystemText(Platform.Telegram, EngineComposition.Start, isGroup: false), Encoding);
        WindowBudget window = WindowBudget.For(model, options);
        long sequence = 1;
        foreach ((string user, string answer) in BenchmarkData.Exchanges(turns / 2, seed: 5))
        {
            int userTokens = prompts.CountTurn(TurnRole.User, user, null, Encoding);
            long fixedTokens = systemTokens + userTokens + TokenCounter.ReplyPriming;
            if (fixedTokens + history.SummaryTokens + history.HistoryTokens > window.HighWater)
            {
                int summaryAllowance = Math.Max(history.SummaryTokens, options.SummaryMaxTokens + 24);
                int count = history.PlanEviction(fixedTokens + summaryAllowance, window.LowWater);
                if (count > 0)
                {
                    long through = history.Turns[count - 1].Turn.Sequence;
                    history.RemoveOldest(count);
                    history.SetSummary(new ConversationSummary(summary, summaryTokens, Encoding, through), summaryMessage);
                }
            }

            Add(history, new StoredTurn(sequence, TurnRole.User, AuthorId, null, user, userTokens, Encoding, EngineComposition.Start)
            {
                SourceMessageId = sequence++.ToString(CultureInfo.InvariantCulture),
            });
            Add(history, new StoredTurn(sequence++, TurnRole.Assistant, null, null, answer, prompts.CountTurn(TurnRole.Assistant, answer, null, Encoding), Encoding, EngineComposition.Start));
        }

        return history;

        static void Add(ConversationHistory history, StoredTurn turn) => history.Append(turn, PromptFactory.ToMessage(turn));
    }
}
