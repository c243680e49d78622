using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// Runs a FakeTimeProvider fast: every few real milliseconds it advances virtual time, so rate-limit waits, typing
/// timers and backoffs take virtual seconds (measurable on the fake server's timestamps) but little real time.
/// </summary>
internal sealed class ClockPump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ClockPump(FakeTimeProvider time, TimeSpan? step = null)
    {
        Time = time;
        TimeSpan advance = step ?? TimeSpan.FromMilliseconds(100);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                time.Advance(advance);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(3), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public FakeTimeProvider Time { get; }

    public static ClockPump Start(TimeSpan? step = null) => new(new FakeTimeProvider(new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero)), step);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
