namespace ChatBots.Engine.Conversations;

/// <summary>The outcome of handing a message to the engine.</summary>
public enum EnqueueResult
{
    /// <summary>Queued on the conversation's lane; the sink will hear back.</summary>
    Accepted,

    /// <summary>The conversation's lane is full; tell the user to wait. Nothing was queued.</summary>
    Busy,

    /// <summary>The host is stopping; nothing was queued.</summary>
    Stopping,
}

/// <summary>A command the engine understands on every platform (adapters register these in their menus).</summary>
public sealed record EngineCommand(string Name, string Description);

/// <summary>
/// The engine as adapters see it. <see cref="Enqueue"/> never waits for a model: receive loops call it and keep reading.
/// </summary>
public interface IConversationEngine
{
    /// <summary>The commands, without the leading slash, for the platforms' command menus.</summary>
    IReadOnlyList<EngineCommand> Commands { get; }

    /// <summary>Queues the message on its conversation's lane; messages of one conversation are handled in order.</summary>
    EnqueueResult Enqueue(IncomingMessage message, IReplySink sink);
}
