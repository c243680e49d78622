using Microsoft.Extensions.Time.Testing;

namespace ChatBots.OpenAI.Tests;

/// <summary>A <see cref="FakeTimeProvider"/> that tells the test when a timer is armed, and for how long.</summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly TaskCompletionSource<TimeSpan> _firstTimer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The due time of the first timer created.</summary>
    public Task<TimeSpan> FirstTimerDue => _firstTimer.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _firstTimer.TrySetResult(dueTime);
        return timer;
    }
}
