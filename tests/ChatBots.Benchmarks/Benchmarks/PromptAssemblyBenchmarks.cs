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
/// A turn is one stored message (a <c>StoredTurn</c>: a user message or an answer). Setup pushes <see cref="Turns"/>
/// turns (half questions, half answers) through the engine's window policy (high/low-water eviction into a
/// summary of <c>SummaryMaxTokens</c>), so the history in memory is what the engine would hold: at a small window,
/// only the tail that fits. One operation is one turn as <c>ConversationEngine.AnswerAsync</c> does it: build and count
/// the system prompt, count the new message once, compute the window budget and the high-water check from cached counts,
/// and assemble the message list. The naive baseline does the same but re-tokenizes every kept turn and builds new
/// messages for them. Nothing is appended, so every operation sees the same history.
/// </para>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PromptAssemblyBenchmarks
{
    private const string Encoding = TokenEncodings.O200kBase;
    private string[] _newMessages = [];
    private int _next;
    private ConversationHistory _history = null!;
    private PromptFactory _prompts = null!;
    private ModelInfo _model = null!;
    private EngineOptions _options = null!;
    private ChatMessage _system = null!;
    private int _systemTokens;

    [Params(10, 100, 200, 1_000, 10_000)]
    public int Turns { get; set; }

    [Params(4_000, 16_000, 128_000)]
    public int Window { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var store = new InMemoryConversationStore();
        Dictionary<string, string?> settings = EngineComposition.DefaultSettings();
        settings["Engine:ContextTokenCap"] = Window.ToString(CultureInfo.InvariantCulture);
        await using (EngineComposition engine = EngineComposition.Create(new ImmediateChatClient(), store, store, settings))
        {
            _prompts = engine.Get<PromptFactory>();
            _model = engine.Get<ModelCatalogue>().Resolve("gpt-4o-mini");
            _options = engine.Get<IOptionsMonitor<EngineOptions>>().CurrentValue;
        }

        _newMessages = BenchmarkData.NewMessages(64, seed: 7);
        _history = Fill(_prompts, _model, _options, Turns);
        (_system, _systemTokens) = _prompts.System(_prompts.SystemText(Platform.Telegram, EngineComposition.Start, isGroup: false), Encoding);
    }

    [Benchmark(Baseline = true)]
    public int Engine()
    {
        string text = _newMessages[_next++ & 63];
        (ChatMessage system, int systemTokens) = _prompts.SystemFor(Platform.Telegram, EngineComposition.Start, isGroup: false, Encoding);
        WindowBudget window = WindowBudget.For(_model, _options);
        int messageTokens = _prompts.CountTurn(TurnRole.User, text, null, Encoding);
        long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
        bool evict = fixedTokens + _history.SummaryTokens + _history.HistoryTokens > window.HighWater;
        List<ChatMessage> prompt = _history.BuildPrompt(system, new ChatMessage(ChatRole.User, text));
        return prompt.Count + (evict ? 1 : 0);
    }

    /// <summary>
    /// The engine's per-turn work without even the system-prompt cache look-up: the floor of prompt assembly.
    /// </summary>
    [Benchmark]
    public int EngineCachedSystem()
    {
        string text = _newMessages[_next++ & 63];
        WindowBudget window = WindowBudget.For(_model, _options);
        int messageTokens = _prompts.CountTurn(TurnRole.User, text, null, Encoding);
        long fixedTokens = _systemTokens + messageTokens + TokenCounter.ReplyPriming;
        bool evict = fixedTokens + _history.SummaryTokens + _history.HistoryTokens > window.HighWater;
        List<ChatMessage> prompt = _history.BuildPrompt(_system, new ChatMessage(ChatRole.User, text));
        return prompt.Count + (evict ? 1 : 0);
    }

    [Benchmark]
    public int Naive() => NaivePromptBuilder.Build(_prompts, _history, _model, _options, _newMessages[_next++ & 63]).Count;

    /// <summary>What each window keeps in memory, for the docs: kept turns and their tokens per case.</summary>
    internal static async Task<string> DescribeWindowsAsync()
    {
        var text = new System.Text.StringBuilder("Prompt assembly: turns (messages) and history tokens the engine keeps in memory per case\n");
        foreach (int window in new[] { 4_000, 16_000, 128_000 })
        {
            foreach (int turns in new[] { 10, 100, 200, 1_000, 10_000 })
            {
                var bench = new PromptAssemblyBenchmarks { Turns = turns, Window = window };
                await bench.SetupAsync();
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
        int summaryAllowance = options.SummaryMaxTokens + 24;
        long sequence = 1;
        foreach ((string user, string answer) in BenchmarkData.Exchanges(turns / 2, seed: 5))
        {
            int userTokens = prompts.CountTurn(TurnRole.User, user, null, Encoding);
            long fixedTokens = systemTokens + userTokens + TokenCounter.ReplyPriming;
            if (fixedTokens + history.SummaryTokens + history.HistoryTokens > window.HighWater)
            {
                int count = history.PlanEviction(fixedTokens + summaryAllowance, window.LowWater);
                if (count > 0)
                {
                    long through = history.Turns[count - 1].Turn.Sequence;
                    history.RemoveOldest(count);
                    history.SetSummary(new ConversationSummary(summary, summaryTokens, Encoding, through), summaryMessage);
                }
            }

            Add(history, new StoredTurn(sequence++, TurnRole.User, "telegram:42", null, user, userTokens, Encoding, EngineComposition.Start));
            Add(history, new StoredTurn(sequence++, TurnRole.Assistant, null, null, answer, prompts.CountTurn(TurnRole.Assistant, answer, null, Encoding), Encoding, EngineComposition.Start));
        }

        return history;

        static void Add(ConversationHistory history, StoredTurn turn) => history.Append(turn, PromptFactory.ToMessage(turn));
    }
}
