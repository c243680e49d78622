using System.Globalization;
using ChatBots.Benchmarks.Composition;
using ChatBots.Engine.Conversations;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// Memory the engine holds per conversation, live and after its lane went idle. Not a BenchmarkDotNet benchmark: it
/// measures retained heap (GC.GetTotalMemory after a full collection), not time. The store keeps nothing in the
/// process (in production it is on disk), so the figures are the engine's own.
/// </summary>
internal static class IdleMemoryProbe
{
    public sealed record Result(int Conversations, double LiveBytesPerConversation, double IdleBytesPerConversation, int ActiveAfterIdle);

    public static async Task<Result> RunAsync(int conversations)
    {
        var store = new DiscardingStore();
        Dictionary<string, string?> settings = EngineComposition.DefaultSettings();
        settings["Engine:IdleLaneTimeout"] = "00:00:05";
        await using EngineComposition engine = EngineComposition.Create(new ImmediateChatClient(), store, store, settings);

        // Warm up: first-use costs (tokenizer, options, JIT) are not per conversation.
        await SendOneEachAsync(engine, 0, 200);
        await GoIdleAsync(engine);
        long before = Heap();

        await SendOneEachAsync(engine, 1_000_000, conversations);
        long live = Heap();
        await GoIdleAsync(engine);
        long after = Heap();
        GC.KeepAlive(engine);
        return new Result(
            conversations,
            (live - before) / (double)conversations,
            (after - before) / (double)conversations,
            engine.Engine.ActiveConversations);
    }

    public static string Describe(Result r) => string.Create(
        CultureInfo.InvariantCulture,
        $"Idle memory: {r.Conversations:N0} conversations, {r.LiveBytesPerConversation:N0} B each while live, {r.IdleBytesPerConversation:N0} B each after their lanes went idle ({r.ActiveAfterIdle} lanes left)");

    private static async Task SendOneEachAsync(EngineComposition engine, int first, int count)
    {
        var sinks = new Task[count];
        for (int i = 0; i < count; i++)
        {
            var sink = new CompletionSink();
            var key = new ConversationKey(Platform.Telegram, (first + i).ToString(CultureInfo.InvariantCulture));
            // With a platform message id, as the adapters send it: the stored turn keeps it for the replay look-up.
            string messageId = (first + i).ToString(CultureInfo.InvariantCulture);
            var message = new IncomingMessage(key, "42", "Alice", "Hello, 你好! How are you today? 🙂") { MessageId = messageId, ReplyToMessageId = messageId };
            if (engine.Engine.Enqueue(message, sink) != EnqueueResult.Accepted)
            {
                throw new InvalidOperationException("The engine refused a message.");
            }

            sinks[i] = sink.Finished;
        }

        await Task.WhenAll(sinks).WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Moves the fake clock past the idle timeout and waits until the engine dropped every lane.</summary>
    private static async Task GoIdleAsync(EngineComposition engine)
    {
        // Let the consumers reach their idle wait before the clock jumps, then jump.
        for (int i = 0; i < 2_000 && engine.Engine.ActiveConversations > 0; i++)
        {
            engine.Time.Advance(TimeSpan.FromSeconds(6));
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        if (engine.Engine.ActiveConversations > 0)
        {
            throw new InvalidOperationException($"{engine.Engine.ActiveConversations} lanes stayed alive past the idle timeout.");
        }
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
