using System.Collections.Concurrent;
using ChatBots.Engine.Conversations;

namespace ChatBots.Testing.Engine;

/// <summary>A reply sink that records what the engine said, and signals when the engine finished the message.</summary>
public sealed class RecordingReplySink : IReplySink
{
    private readonly ConcurrentQueue<OutgoingReply> _replies = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<OutgoingReply> Replies => [.. _replies];

    public bool WorkStarted { get; private set; }

    public Task Finished => _finished.Task;

    /// <summary>Called on each reply, for tests that interleave sinks.</summary>
    public Action<OutgoingReply>? OnReply { get; init; }

    public ValueTask WorkStartedAsync(CancellationToken cancellationToken)
    {
        WorkStarted = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        _replies.Enqueue(reply);
        OnReply?.Invoke(reply);
        return ValueTask.CompletedTask;
    }

    public ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        _finished.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until the engine is done with the message (bounded, so a broken engine fails the test instead of hanging).</summary>
    public Task WaitAsync() => Finished.WaitAsync(TimeSpan.FromSeconds(30));
}
