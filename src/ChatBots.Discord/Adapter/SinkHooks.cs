using ChatBots.Engine.Conversations;

namespace ChatBots.Discord.Adapter;

/// <summary>What a reply sink reports back to the adapter.</summary>
/// <param name="Sent">The id of every message the sink posted: a reply to one of them addresses the bot.</param>
/// <param name="Finished">
/// Called once, when the engine is done with the message, with true when a final reply (answer, command output or
/// error) reached Discord in full.
/// </param>
internal sealed record SinkHooks(Action<string>? Sent = null, Func<bool, Task>? Finished = null)
{
    public static SinkHooks None { get; } = new();

    /// <summary>The reply kinds that end the engine's work on a message; transcripts and notices come before them.</summary>
    public static bool IsFinal(ReplyKind kind) => kind is ReplyKind.Answer or ReplyKind.Error or ReplyKind.Command;
}
