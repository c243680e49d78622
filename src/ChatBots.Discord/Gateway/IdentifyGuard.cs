using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Gateway;

/// <summary>
/// Circuit breaker for Identify: Discord resets the bot token after 1000 Identifies a day, and restart or reconnect loops
/// are the classic cause. Allows at most <c>maxPerHour</c> per hour and spaces them by <c>minInterval</c>
/// (Discord's max_concurrency per 5 s); past the limit it waits (logged as an error) instead of identifying.
/// </summary>
internal sealed partial class IdentifyGuard(int maxPerHour, TimeSpan minInterval, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly Queue<DateTimeOffset> _identifies = new();

    /// <summary>Waits until an Identify is allowed, then records it.</summary>
    public async Task WaitAndRecordAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            DateTimeOffset now = time.GetUtcNow();
            while (_identifies.Count > 0 && now - _identifies.Peek() >= Window)
            {
                _identifies.Dequeue();
            }

            TimeSpan wait = TimeSpan.Zero;
            if (_identifies.Count >= maxPerHour)
            {
                wait = _identifies.Peek() + Window - now;
                LogCircuitOpen(logger, _identifies.Count, wait.TotalSeconds);
            }
            else if (_identifies.Count > 0 && now - _identifies.Last() < minInterval)
            {
                wait = _identifies.Last() + minInterval - now;
            }

            if (wait <= TimeSpan.Zero)
            {
                _identifies.Enqueue(now);
                return;
            }

            await Task.Delay(wait, time, cancellationToken);
        }
    }

    [LoggerMessage(1201, LogLevel.Error, "{Count} Discord Identifies in the last hour: holding the next one for {WaitSeconds} s to protect the daily limit (Discord resets the token at 1000). Check for a reconnect loop")]
    private static partial void LogCircuitOpen(ILogger logger, int count, double waitSeconds);
}
