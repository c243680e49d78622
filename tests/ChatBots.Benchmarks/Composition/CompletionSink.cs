using ChatBots.Engine.Conversations;

namespace ChatBots.Benchmarks.Composition;

/// <summary>The leanest sink: completes when the engine is done with the message, counts errors, keeps no text.</summary>
internal sealed class CompletionSink : IReplySink
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Finished => _done.Task;

    public ReplyKind? Problem { get; private set; }

    public ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        if (reply.Kind is ReplyKind.Error or ReplyKind.Notice)
        {
            Problem = reply.Kind;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        _done.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
