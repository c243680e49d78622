using System.Globalization;
using BenchmarkDotNet.Attributes;
using ChatBots.Benchmarks.Composition;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Engine;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// Engine overhead per message with a zero-latency model and the in-memory store: 10,000 messages per operation spread
/// over <see cref="Conversations"/> conversations, each conversation sending its next message when the previous one is
/// answered (as a user waits for the reply). Mean / 10,000 is the time per message; Allocated is per message.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EngineThroughputBenchmarks
{
    public const int MessagesPerOperation = 10_000;

    private EngineComposition _engine = null!;
    private ConversationKey[] _keys = [];
    private string[] _texts = [];
    private long _messageIds;

    [Params(1, 100, 10_000)]
    public int Conversations { get; set; }

    /// <summary>
    /// The engine's clock: the system clock as in production, or FakeTimeProvider (the tests' clock) to show how
    /// much of the cost at many conversations is the clock's timers (one idle timer per lane wait).
    /// </summary>
    [Params("system", "fake")]
    public string Clock { get; set; } = "system";

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryConversationStore();
        _engine = EngineComposition.Create(new ImmediateChatClient(), store, store, systemClock: Clock == "system");
        _keys = [.. Enumerable.Range(0, Conversations).Select(i => new ConversationKey(Platform.Telegram, (100_000 + i).ToString(CultureInfo.InvariantCulture)))];
        _texts = BenchmarkData.NewMessages(64, seed: 9);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _engine.DisposeAsync();

    [Benchmark(OperationsPerInvoke = MessagesPerOperation)]
    public async Task Messages()
    {
        int perConversation = MessagesPerOperation / Conversations;
        var drivers = new Task[Conversations];
        for (int c = 0; c < drivers.Length; c++)
        {
            drivers[c] = DriveAsync(_keys[c], perConversation, c);
        }

        await Task.WhenAll(drivers);
    }

    private async Task DriveAsync(ConversationKey key, int messages, int offset)
    {
        for (int i = 0; i < messages; i++)
        {
            var sink = new CompletionSink();
            // A platform message id on every message, as both adapters set it, so the engine's replay look-up runs as in
            // production; never repeated, so none is taken for a replay.
            string messageId = Interlocked.Increment(ref _messageIds).ToString(CultureInfo.InvariantCulture);
            var message = new IncomingMessage(key, "42", "Alice", _texts[(offset + i) & 63]) { MessageId = messageId, ReplyToMessageId = messageId };
            if (_engine.Engine.Enqueue(message, sink) != EnqueueResult.Accepted)
            {
                throw new InvalidOperationException("The engine refused a message.");
            }

            await sink.Finished;
            if (sink.Problem is { } problem)
            {
                throw new InvalidOperationException($"The engine answered with a {problem}.");
            }
        }
    }
}
