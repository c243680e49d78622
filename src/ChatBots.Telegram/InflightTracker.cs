namespace ChatBots.Telegram;

/// <summary>
/// Counts messages the engine is still working on, so stopping can wait for them (drain) and then close: after
/// closing, late replies are not sent and their updates stay pending for the next start, never answered twice.
/// </summary>
internal sealed class InflightTracker
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource _drained = NewDrained(completed: true);

    public bool IsClosed { get; private set; }

    public void Enter()
    {
        lock (_gate)
        {
            if (_count++ == 0)
            {
                _drained = NewDrained(completed: false);
            }
        }
    }

    public void Exit()
    {
        lock (_gate)
        {
            if (--_count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Waits until nothing is in flight or <paramref name="cancellationToken"/> fires, then closes.</summary>
    public async Task DrainAndCloseAsync(CancellationToken cancellationToken)
    {
        Task drained;
        lock (_gate)
        {
            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout won: whatever is still running is abandoned and replayed at the next start.
        }

        IsClosed = true;
    }

    private static TaskCompletionSource NewDrained(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }
}
