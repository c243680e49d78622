using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Testing;

/// <summary>
/// Waiting for what the system under test signals only through its state, bounded so a bug fails the test (with what
/// it waited for) instead of hanging it; and moving a fake clock until a condition holds.
/// </summary>
public static class Waiting
{
    /// <summary>How long any of these waits before it fails the test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    // Long enough for work running beside the code that waits to register its own timers; only fidelity depends on it.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(15);

    /// <summary>Returns once <paramref name="condition"/> holds; a TimeoutException naming <paramref name="what"/> otherwise.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Returns once <paramref name="condition"/> holds; a TimeoutException naming <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var guard = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(Poll, guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }
        }
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> at a time until <paramref name="condition"/> holds; returns how much
    /// fake time that took. A lower bound on it proves the code waited at least that long on its clock; stepping (rather
    /// than one jump) also covers a timer the code registers only after the clock started moving.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition, TimeSpan? timeout = null)
    {
        using var guard = new CancellationTokenSource(timeout ?? DefaultTimeout);
        DateTimeOffset start = time.GetUtcNow();
        while (!condition())
        {
            time.Advance(step);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Timed out advancing the clock until the condition held");
            }
        }

        return time.GetUtcNow() - start;
    }

    /// <summary>
    /// Until <paramref name="condition"/> holds: waits for the code under test to wait on the clock (a pending timer,
    /// nothing in flight), then moves the clock to the earliest pending timer, exactly; returns the fake time that took.
    /// The clock never jumps past a timer the code registered, so what happens follows the code's own schedule.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(ObservedTimeProvider time, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var guard = new CancellationTokenSource(timeout ?? DefaultTimeout);
        DateTimeOffset start = time.GetUtcNow();
        while (!condition())
        {
            if (!await WaitingOrChangedAsync(time, condition, guard.Token))
            {
                throw new TimeoutException("Timed out advancing the clock until " + what);
            }

            if (!condition() && time.NextDue() is { } due)
            {
                time.AdvanceTo(due);
            }
        }

        return time.GetUtcNow() - start;
    }

    private static async Task<bool> WaitingOrChangedAsync(ObservedTimeProvider time, Func<bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            long version = time.Version;
            try
            {
                await Task.Delay(Settle, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            if (condition() || (version == time.Version && !time.IsBusy && time.NextDue() is not null))
            {
                return true;
            }
        }
    }
}
