namespace ChatBots.Engine.Conversations;

/// <summary>
/// Where the engine sends what it has to say about one incoming message. The adapter implements it.
/// For one message the engine calls <see cref="WorkStartedAsync"/> (possibly more than once: implementations make it
/// idempotent), any number of <see cref="UpdateAsync"/> and <see cref="SendAsync"/> calls in order, then always
/// <see cref="WorkFinishedAsync"/> exactly once.
/// </summary>
public interface IReplySink
{
    /// <summary>The engine is about to call a model; show typing until <see cref="WorkFinishedAsync"/>.</summary>
    ValueTask WorkStartedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Progressive text of the answer so far (streaming). Adapters may coalesce or ignore it.</summary>
    ValueTask UpdateAsync(string textSoFar, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A complete reply. Several may be sent for one message (a transcript, then the answer).</summary>
    ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken);

    /// <summary>The engine is done with this message, whatever the outcome. Stop typing; record the message as answered.</summary>
    ValueTask WorkFinishedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
