using System.Text.Json;
using ChatBots.Discord.Api;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Gateway;

/// <summary>
/// Circuit breaker for Identify: Discord resets the bot token after 1000 Identifies a day, and restart or reconnect loops
/// are the classic cause. Allows at most <c>maxPerHour</c> per hour and spaces them by <c>minInterval</c>
/// (Discord's max_concurrency per 5 s); past the limit it waits (logged as an error) instead of identifying.
/// </summary>
/// <remarks>
/// The history is kept in the <see cref="IKeyValueStore"/>, not only in memory: a host that exits and is restarted by its
/// supervisor (<c>--restart unless-stopped</c>) must find the Identifies of its previous lives, or every restart would
/// come with a fresh hourly budget. An Identify is recorded when op 2 is actually sent (<see cref="RecordAsync"/>), so
/// connection attempts that never reached Discord do not use up the budget.
/// </remarks>
internal sealed partial class IdentifyGuard(
    int maxPerHour,
    TimeSpan minInterval,
    IKeyValueStore store,
    string storeKey,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly Queue<DateTimeOffset> _identifies = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private volatile bool _loaded;

    /// <summary>Waits until an Identify is allowed (without recording one); returns how long it waited.</summary>
    public async Task<TimeSpan> WaitAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        DateTimeOffset start = time.GetUtcNow();
        while (true)
        {
            DateTimeOffset now = time.GetUtcNow();
            TimeSpan wait;
            int count;
            lock (_gate)
            {
                Trim(now);
                count = _identifies.Count;
                wait = count >= maxPerHour
                    ? _identifies.Peek() + Window - now
                    : count > 0 && now - _identifies.Last() < minInterval
                        ? _identifies.Last() + minInterval - now
                        : TimeSpan.Zero;
            }

            if (wait <= TimeSpan.Zero)
            {
                return now - start;
            }

            if (count >= maxPerHour)
            {
                LogCircuitOpen(logger, count, wait.TotalSeconds);
            }

            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>Records an Identify that was just sent, in memory and in the store.</summary>
    public async Task RecordAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        StoredIdentifies snapshot;
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            Trim(now);
            _identifies.Enqueue(now);
            snapshot = new StoredIdentifies([.. _identifies.Select(t => t.ToUnixTimeMilliseconds())]);
        }

        // The in-memory count still protects this process; a store failure must not drop the connection.
        string json = JsonSerializer.Serialize(snapshot, DiscordJsonContext.Default.StoredIdentifies);
        await StoreCalls.TryStoreAsync(ct => store.SetAsync(storeKey, json, ct), ex => LogStoreFailed(logger, ex), cancellationToken);
    }

    private void Trim(DateTimeOffset now)
    {
        while (_identifies.Count > 0 && now - _identifies.Peek() >= Window)
        {
            _identifies.Dequeue();
        }
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _loadGate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded)
            {
                return;
            }

            // Without the store only this process's Identifies are counted; better than not connecting.
            string? json = await StoreCalls.TryStoreAsync(ct => store.GetAsync(storeKey, ct), null, ex => LogStoreFailed(logger, ex), cancellationToken);
            if (json is not null)
            {
                Restore(json);
            }

            _loaded = true;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private void Restore(string json)
    {
        StoredIdentifies? stored;
        try
        {
            stored = JsonSerializer.Deserialize(json, DiscordJsonContext.Default.StoredIdentifies);
        }
        catch (JsonException ex)
        {
            LogStoreFailed(logger, ex);
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        int count;
        lock (_gate)
        {
            // A timestamp from the future (the clock was set back) counts as now: it must neither vanish nor block for days.
            foreach (DateTimeOffset at in (stored?.At ?? []).Select(DateTimeOffset.FromUnixTimeMilliseconds).Order())
            {
                _identifies.Enqueue(at > now ? now : at);
            }

            Trim(now);
            count = _identifies.Count;
        }

        LogRestored(logger, count);
    }

    [LoggerMessage(1201, LogLevel.Error, "{Count} Discord Identifies in the last hour: holding the next one for {WaitSeconds} s to protect the daily limit (Discord resets the token at 1000). Check for a reconnect loop")]
    private static partial void LogCircuitOpen(ILogger logger, int count, double waitSeconds);

    [LoggerMessage(1202, LogLevel.Warning, "Reading or saving the Discord Identify history failed; only this process's Identifies are counted")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(1203, LogLevel.Debug, "{Count} Discord Identifies in the last hour from earlier runs")]
    private static partial void LogRestored(ILogger logger, int count);
}
