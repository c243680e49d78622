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
/// pushes <see cref="Turns"/> turns (half questions, half answers) through the engine's window policy at the shipped
/// settings (high/low-water eviction into a summary of <c>SummaryMaxTokens</c>), so the history in memory is what the
/// engine would hold: at a small window, only the tail that fits; user turns carry their platform message id as the
/// engine stores them.
/// </para>
/// <para>
/// One operation of <see cref="Engine"/> is what <c>ConversationEngine</c> does for a new text message before the
/// budget reservation and the model call: in <c>HandleAsync</c>, resolve the model and look the message id up among the
/// newest <see cref="ConversationHistory.ReplayLookback"/> turns in case it is a replayed delivery (a new message
/// misses); in <c>AnswerAsync</c>, resolve the model again, take the cached system message
/// (<c>PromptFactory.SystemFor</c>), compute the window budget with the conversation's cap and the summary allowance,
/// tokenize the message once and add its framing, check it against <c>WindowBudget.MessageRoom</c>, make its stored
/// turn and chat message, run the high-water check from the cached counts, and assemble the message list. Access
/// checks, command parsing, the budget reservation, the lane and the store are in <c>EngineThroughputBenchmarks</c>.
/// The naive baseline (this project only) re-tokenizes the system prompt, the summary and every kept turn and builds
/// new messages for them. Nothing is appended, so every operation sees the same history.
/// </para>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PromptAssemblyBenchmarks
{
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
    private IOptionsMonitor<ModelSelectionOptions> _models = null!;
    private TimeProvider _time = null!;

    [Params(10, 100, 200, 1_000, 10_000)]
    public int Turns { get; set; }

    [Params(4_000, 16_000, 128_000)]
    public int Window { get; set; }

    /// <summary>Whether Setup had to evict once more so that no benchmark message crosses the high-water mark.</summary>
    internal bool EvictedForNext { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryConversationStore();
        Dictionary<string, string?> settings = EngineComposition.DefaultSettings();
        settings["Engine:ContextTokenCap"] = Window.ToString(CultureInfo.InvariantCulture);
        // Kept for the whole run: the engine's services (options monitor, catalogue) are used by every operation.
        _engine = EngineComposition.Create(new ImmediateChatClient(), store, store, settings);
        _prompts = _engine.Get<PromptFactory>();
        _catalogue = _engine.Get<ModelCatalogue>();
        _options = _engine.Get<IOptionsMonitor<EngineOptions>>();
        _models = _engine.Get<IOptionsMonitor<ModelSelectionOptions>>();
        _time = _engine.Get<TimeProvider>();
        _newMessages = BenchmarkData.NewMessages(64, seed: 7);
        // Ids no stored turn has: a new message, not a replay.
        _newMessageIds = [.. Enumerable.Range(0, 64).Select(i => (900_000_000 + i).ToString(CultureInfo.InvariantCulture))];
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        int largestNew = _newMessages.Max(m => _prompts.CountTurn(TurnRole.User, m, null, model.Encoding));
        (_history, EvictedForNext) = Fill(_prompts, model, _options.CurrentValue, Turns, largestNew);
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

        // HandleAsync: a text message is first looked up among the newest ReplayLookback turns in case it is a replayed
        // delivery (a new message misses, the common case).
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        if (_history.ExchangeOf(messageId) is not null)
        {
            throw new InvalidOperationException("A new benchmark message was taken for a replay.");
        }

        // AnswerAsync, up to the budget reservation and the model call.
        EngineOptions options = _options.CurrentValue;
        model = _catalogue.Resolve(_models.CurrentValue.Model);
        string encoding = model.Encoding;
        DateTimeOffset now = _time.GetUtcNow();
        (ChatMessage system, int systemTokens) = _prompts.SystemFor(Platform.Telegram, now, isGroup: false, encoding);
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id), _history.Settings.ContextTokenCap);
        int summaryAllowance = Math.Max(_history.SummaryTokens, EngineOptionsValidator.SummaryAllowance(options));

        // The text is tokenized once, the framing counted apart (no name: not a group).
        int framing = _prompts.TurnFraming(TurnRole.User, null, encoding);
        int messageTokens = framing + _prompts.Counter.CountText(text, encoding);
        int maxMessageTokens = window.MessageRoom(systemTokens, summaryAllowance);
        if (maxMessageTokens - framing < 1 || messageTokens > maxMessageTokens)
        {
            // The engine would refuse or truncate here; the benchmark's messages (20–300 chars) always fit.
            throw new InvalidOperationException("A benchmark message does not fit the window.");
        }

        var userTurn = new StoredTurn(_history.NextSequence, TurnRole.User, AuthorId, null, text, messageTokens, encoding, now)
        {
            SourceMessageId = messageId,
        };
        ChatMessage userMessage = PromptFactory.ToMessage(userTurn);

        // The high-water check from the cached counts; over it the engine plans the eviction and prepares its summary
        // call before the budget check. Setup leaves every case below it for every benchmark message (see Fill), as after
        // all but the rare evicting turn, so this measures the common turn; the check is still made as the engine makes it.
        long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
        long promptNow = fixedTokens + _history.SummaryTokens + _history.HistoryTokens;
        if (promptNow > window.HighWater)
        {
            throw new InvalidOperationException("A benchmark message would evict: the case does not measure the common turn.");
        }

        List<ChatMessage> prompt = _history.BuildPrompt(system, userMessage);
        return prompt.Count;
    }

    [Benchmark]
    public int Naive() => NaivePromptBuilder.Build(_prompts, _history, _catalogue.Resolve(_models.CurrentValue.Model), _options.CurrentValue, _newMessages[_next++ & 63]).Count;

    /// <summary>What each window keeps in memory, for the docs: kept turns and their tokens per case.</summary>
    internal static async Task<string> DescribeWindowsAsync()
    {
        var text = new System.Text.StringBuilder("Prompt assembly: stored turns (messages) and history tokens the engine keeps in memory per case, at the shipped window settings\n");
        foreach (int window in new[] { 4_000, 16_000, 128_000 })
        {
            foreach (int turns in new[] { 10, 100, 200, 1_000, 10_000 })
            {
                var bench = new PromptAssemblyBenchmarks { Turns = turns, Window = window };
                bench.Setup();
                await bench.CleanupAsync();
                text.AppendLine(CultureInfo.InvariantCulture, $"  window {window,7:N0}, {turns,6:N0} stored turns: {bench._history.TurnCount,4} kept, {bench._history.HistoryTokens,7:N0} history tokens + {bench._history.SummaryTokens} summary{(bench.EvictedForNext ? " (evicted once more for the next message)" : "")}");
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The history the engine would hold after <paramref name="turns"/> stored turns at this window, ready for a next
    /// message of up to <paramref name="nextMessageTokens"/> tokens: when such a message would cross the high-water mark,
    /// the eviction the engine would make on that turn is made here (EvictedForNext), so that every benchmark operation
    /// is a common, non-evicting turn.
    /// </summary>
    internal static (ConversationHistory History, bool EvictedForNext) Fill(PromptFactory prompts, ModelInfo model, EngineOptions options, int turns, int nextMessageTokens)
    {
        string encoding = model.Encoding;
        var history = new ConversationHistory(encoding);
        // A summary as long as the engine allows, as after a real eviction.
        string summary = Summarizer.TruncateEnd(new TextSource(11).Chat(4_000), options.SummaryMaxTokens, encoding);
        (ChatMessage summaryMessage, int summaryTokens) = prompts.Summary(summary, encoding);
        (_, int systemTokens) = prompts.System(prompts.SystemText(Platform.Telegram, EngineComposition.Start, isGroup: false), encoding);
        WindowBudget window = WindowBudget.For(model, options, 0, history.Settings.ContextTokenCap);
        long sequence = 1;
        foreach ((string user, string answer) in BenchmarkData.Exchanges(turns / 2, seed: 5))
        {
            int userTokens = prompts.CountTurn(TurnRole.User, user, null, encoding);
            EvictIfOverHighWater(userTokens);
            Add(history, new StoredTurn(sequence, TurnRole.User, AuthorId, null, user, userTokens, encoding, EngineComposition.Start)
            {
                SourceMessageId = sequence++.ToString(CultureInfo.InvariantCulture),
            });
            Add(history, new StoredTurn(sequence++, TurnRole.Assistant, null, null, answer, prompts.CountTurn(TurnRole.Assistant, answer, null, encoding), encoding, EngineComposition.Start));
        }

        return (history, EvictIfOverHighWater(nextMessageTokens));

        // The engine's check at the start of a turn, and its eviction down to the low-water mark into a full-size summary.
        bool EvictIfOverHighWater(int messageTokens)
        {
            long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
            if (fixedTokens + history.SummaryTokens + history.HistoryTokens <= window.HighWater)
            {
                return false;
            }

            int summaryAllowance = Math.Max(history.SummaryTokens, EngineOptionsValidator.SummaryAllowance(options));
            int count = history.PlanEviction(fixedTokens + summaryAllowance, window.LowWater);
            if (count == 0)
            {
                return false;
            }

            long through = history.Turns[count - 1].Turn.Sequence;
            history.RemoveOldest(count);
            history.SetSummary(new ConversationSummary(summary, summaryTokens, encoding, through), summaryMessage);
            return true;
        }

        static void Add(ConversationHistory history, StoredTurn turn) => history.Append(turn, PromptFactory.ToMessage(turn));
    }
}
