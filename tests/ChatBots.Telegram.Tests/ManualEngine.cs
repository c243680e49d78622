using System.Threading.Channels;
using ChatBots.Engine.Conversations;

namespace ChatBots.Telegram.Tests;

/// <summary>An engine the test drives by hand: it hands each message and its reply sink to the test and does nothing else.</summary>
internal sealed class ManualEngine : IConversationEngine
{
    private readonly Channel<(IncomingMessage Message, IReplySink Sink)> _received = Channel.CreateUnbounded<(IncomingMessage, IReplySink)>();
    private int _count;

    public IReadOnlyList<EngineCommand> Commands { get; } = [new("help", "What this bot does")];

    /// <summary>How many messages were enqueued.</summary>
    public int Count => Volatile.Read(ref _count);

    public EnqueueResult Enqueue(IncomingMessage message, IReplySink sink)
    {
        Interlocked.Increment(ref _count);
        _received.Writer.TryWrite((message, sink));
        return EnqueueResult.Accepted;
    }

    public async Task<(IncomingMessage Message, IReplySink Sink)> NextAsync(TimeSpan timeout) =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout);
}
