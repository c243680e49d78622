using Microsoft.Extensions.Time.Testing;

namespace ChatBots.OpenAI.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that lets a test wait for a timer of a given due time, among the others the engine
/// arms (a conversation lane's idle timeout), before advancing the clock past it.
/// </summary>
internal sealed class DueTimeWatchingTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiters = [];

    public DueTimeWatchingTimeProvider()
        : base(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Completes once a timer due after exactly <paramref name="due"/> has been created.</summary>
    public Task WaitForTimerAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_armed.Contains(due))
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((due, armed));
            return armed.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        List<TaskCompletionSource> release = [];
        lock (_gate)
        {
            _armed.Add(dueTime);
            release.AddRange(_waiters.Where(w => w.Due == dueTime).Select(w => w.Armed));
            _waiters.RemoveAll(w => w.Due == dueTime);
        }

        release.ForEach(r => r.TrySetResult());
        return timer;
    }
}
