using ChatBots.Engine.Conversations;

namespace ChatBots.Discord.Tests;

/// <summary>An engine that is shutting down: refuses every message as <see cref="EnqueueResult.Stopping"/> and counts them.</summary>
internal sealed class StoppingEngine : IConversationEngine
{
    private int _refused;

    public int Refused => Volatile.Read(ref _refused);

    public IReadOnlyList<EngineCommand> Commands { get; } = [new("help", "What this bot can do")];

    public EnqueueResult Enqueue(IncomingMessage message, IReplySink sink)
    {
        Interlocked.Increment(ref _refused);
        return EnqueueResult.Stopping;
    }
}
