using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows what the code under test waits for: every timer it created that is still
/// pending (Task.Delay, PeriodicTimer, WaitAsync timeouts and CancellationTokenSource delays all make one), with its due
/// time. Tests advance the clock to the next pending timer instead of by guessed steps, so virtual time moves only while
/// the code waits on it. Loopback fakes register as busy sources (a request being handled), so nothing advances
/// while the code talks to them.
/// </summary>
public sealed class ObservedTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();

    // FakeTimeProvider's clock is not safe to move from two threads at once (a test and an automatic driver).
    private readonly Lock _advancing = new();
    private readonly HashSet<ObservedTimer> _timers = [];
    private readonly List<Func<bool>> _busy = [];
    private long _version;

    public ObservedTimeProvider(DateTimeOffset start) => Fake = new FakeTimeProvider(start);

    /// <summary>The clock this one observes.</summary>
    public FakeTimeProvider Fake { get; }

    /// <summary>Changes whenever a timer is created, changed, fired or disposed, or a busy source reports activity.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>True while any registered busy source is (a fake server handling a request).</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _busy.Any(b => b());
            }
        }
    }

    /// <summary>The pending timers: when each is due, and the delay it was (re)started with.</summary>
    public IReadOnlyList<(DateTimeOffset Due, TimeSpan Delay)> PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return [.. _timers.Where(t => t.Due is not null).Select(t => (t.Due!.Value, t.Delay)).OrderBy(t => t.Item1)];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, callback, state);
        timer.Start(dueTime, period);
        return timer;
    }

    /// <summary>Registers something whose activity must not be overtaken by the clock (a fake server's open requests).</summary>
    public void AddBusySource(Func<bool> busy)
    {
        lock (_gate)
        {
            _busy.Add(busy);
        }
    }

    /// <summary>A busy source started or finished something: settling starts over.</summary>
    public void NoteActivity() => Interlocked.Increment(ref _version);

    /// <summary>The earliest due time among pending timers started with a delay of at most <paramref name="maxDelay"/>.</summary>
    public DateTimeOffset? NextDue(TimeSpan? maxDelay = null)
    {
        lock (_gate)
        {
            return _timers.Where(t => t.Due is not null && (maxDelay is null || t.Delay <= maxDelay)).Min(t => t.Due);
        }
    }

    /// <summary>True when a pending timer is due at <paramref name="due"/> exactly.</summary>
    public bool HasTimerDueAt(DateTimeOffset due)
    {
        lock (_gate)
        {
            return _timers.Any(t => t.Due == due);
        }
    }

    /// <summary>Moves the clock on by <paramref name="delta"/>, firing every timer due by then, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        lock (_advancing)
        {
            Fake.Advance(delta);
        }
    }

    /// <summary>Moves the clock to <paramref name="instant"/> (firing every timer due by then), never backwards.</summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        lock (_advancing)
        {
            TimeSpan delta = instant - Fake.GetUtcNow();
            if (delta > TimeSpan.Zero)
            {
                Fake.Advance(delta);
            }
        }
    }

    /// <summary>
    /// Completes once the code under test has settled into waiting on the clock: a timer (with a delay of at most
    /// <paramref name="maxDelay"/>) is pending, no busy source is active, and nothing changed for <paramref name="settle"/>
    /// of real time (so work running concurrently has registered its own timers). Returns false when cancelled.
    /// </summary>
    public async Task<bool> WaitUntilWaitingAsync(TimeSpan settle, TimeSpan? maxDelay, CancellationToken cancellationToken)
    {
        while (true)
        {
            long version = Version;
            try
            {
                await Task.Delay(settle, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            if (version == Version && !IsBusy && NextDue(maxDelay) is not null)
            {
                return true;
            }
        }
    }

    private void Changed() => Interlocked.Increment(ref _version);

    private sealed class ObservedTimer(ObservedTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private ITimer? _inner;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public DateTimeOffset? Due { get; private set; }

        public TimeSpan Delay { get; private set; }

        public void Start(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            _inner = owner.Fake.CreateTimer(_ => Fire(), null, dueTime, period);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (_disposed)
                {
                    return false;
                }
            }

            Schedule(dueTime, period);
            return _inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
            }

            Unschedule();
            _inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner._timers.Remove(this);
                    Due = null;
                }
                else
                {
                    Delay = dueTime;
                    Due = owner.Fake.GetUtcNow() + dueTime;
                    owner._timers.Add(this);
                }
            }

            owner.Changed();
        }

        private void Unschedule()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                Due = null;
            }

            owner.Changed();
        }

        private void Fire()
        {
            // The fake sets its clock to the due time before calling back: a periodic timer is due one period later.
            if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
            {
                Unschedule();
            }
            else
            {
                lock (owner._gate)
                {
                    Delay = _period;
                    Due = owner.Fake.GetUtcNow() + _period;
                }

                owner.Changed();
            }

            callback(state);
        }
    }
}
