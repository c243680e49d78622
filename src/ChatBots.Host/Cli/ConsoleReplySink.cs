using ChatBots.Engine.Conversations;

namespace ChatBots.Host.Cli;

/// <summary>Prints the engine's replies in the terminal; notices and errors are marked so they stand apart from answers.</summary>
internal sealed class ConsoleReplySink(TextWriter output) : IReplySink
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Finished => _finished.Task;

    public async ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        string prefix = reply.Kind switch
        {
            ReplyKind.Notice => "[notice] ",
            ReplyKind.Error => "[error] ",
            ReplyKind.Transcript => "[transcript] ",
            _ => "",
        };
        await output.WriteLineAsync(prefix + reply.Text);
        await output.WriteLineAsync();
    }

    public ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        _finished.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
