using ChatBots.Testing;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// The virtual clock of an adapter test. Started automatic, it moves time only while the code under test waits on it:
/// once a timer is pending and nothing is in flight at the fake Bot API, it jumps to the earliest pending timer, exactly,
/// so rate-limit waits, typing intervals, backoffs and redeliveries follow the code's own schedule at any machine speed
/// (measurable on the fake server's timestamps) and take little real time. Manual, it moves only when the test says.
/// </summary>
internal sealed class TestClock : IAsyncDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(15);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TestClock(bool automatic, TimeSpan? maxDelay)
    {
        Time = new ObservedTimeProvider(new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero));
        _loop = automatic ? Task.Run(() => RunAsync(maxDelay)) : Task.CompletedTask;
    }

    public ObservedTimeProvider Time { get; }

    /// <summary>
    /// A clock that advances on its own whenever the code waits on it. Timers started with a delay longer than
    /// <paramref name="maxDelay"/> are never fired by it (a test that stops the host during such a wait).
    /// </summary>
    public static TestClock Start(TimeSpan? maxDelay = null) => new(automatic: true, maxDelay);

    /// <summary>A clock that moves only when the test advances it.</summary>
    public static TestClock Manual() => new(automatic: false, null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan? maxDelay)
    {
        while (await Time.WaitUntilWaitingAsync(Settle, maxDelay, _stop.Token))
        {
            if (Time.NextDue(maxDelay) is { } due)
            {
                Time.AdvanceTo(due);
            }
        }
    }
}
