using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatBots.Discord.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Discord.Rest;

/// <summary>
/// Discord's REST limits, learned from the <c>X-RateLimit-*</c> headers of every response: per-route buckets keyed by the
/// bucket hash and the top-level resource, the global 50/s limit, 429 pauses (route or global), and a count of invalid
/// requests that stops sending long before Discord's 10,000-per-10-minutes Cloudflare ban.
/// </summary>
internal sealed partial class DiscordRateLimiter(IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordRateLimiter> logger)
{
    /// <summary>Discord bans at 10,000 per 10 minutes; we stop at a tenth of that.</summary>
    internal const int InvalidRequestLimit = 1000;

    private const int MaxBuckets = 5000;

    private static readonly TimeSpan InvalidRequestWindow = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, string> _routeToBucket = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private readonly SlidingWindowLimiter _global = new(50, TimeSpan.FromSeconds(1), time);
    private readonly Queue<DateTimeOffset> _invalid = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _unauthorizedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _globalPauseUntil;
    private volatile bool _unauthorized;

    private TimeSpan MaxWait => options.Value.MaxRateLimitWait;

    /// <summary>
    /// Completes at the first 401 on a route authorized by the bot token: the token was revoked or reset, and every later
    /// request is refused. A 401 on an interaction-token route (an expired interaction) does not count.
    /// </summary>
    internal Task Unauthorized => _unauthorizedSignal.Task;

    /// <summary>True while a global 429 pauses every request.</summary>
    internal bool IsGloballyPaused
    {
        get
        {
            lock (_gate)
            {
                return _globalPauseUntil > time.GetUtcNow();
            }
        }
    }

    /// <summary>Waits until the route's bucket and the global limit allow one request; the lease serializes the bucket.</summary>
    public async Task<IDisposable> AcquireAsync(DiscordRoute route, CancellationToken cancellationToken)
    {
        if (_unauthorized)
        {
            throw new DiscordUnauthorizedException(route.Template);
        }

        CheckInvalidRequests(route);
        BucketState bucket = GetBucket(route);
        await bucket.Gate.WaitAsync(cancellationToken);
        try
        {
            DateTimeOffset now = time.GetUtcNow();
            if (bucket.Remaining <= 0 && bucket.ResetAt > now)
            {
                await WaitCappedAsync(route, bucket.ResetAt - now, cancellationToken);
            }

            DateTimeOffset globalPause;
            lock (_gate)
            {
                globalPause = _globalPauseUntil;
            }

            now = time.GetUtcNow();
            if (globalPause > now)
            {
                await WaitCappedAsync(route, globalPause - now, cancellationToken);
            }

            if (!route.ExemptFromGlobal)
            {
                await _global.WaitAsync(cancellationToken);
            }

            return new Lease(bucket);
        }
        catch
        {
            bucket.Gate.Release();
            throw;
        }
    }

    /// <summary>Learns the bucket from a response's headers (any status).</summary>
    public void Update(DiscordRoute route, HttpResponseMessage response)
    {
        if (TryHeader(response, "X-RateLimit-Bucket") is { Length: > 0 } hash)
        {
            _routeToBucket[route.Key] = hash;
        }

        BucketState bucket = GetBucket(route);
        if (TryHeader(response, "X-RateLimit-Remaining") is { } remainingText
            && int.TryParse(remainingText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int remaining))
        {
            bucket.Remaining = remaining;
        }

        // Reset-After is relative, so our clock's skew does not matter (unlike X-RateLimit-Reset).
        if (TryHeader(response, "X-RateLimit-Reset-After") is { } resetText
            && double.TryParse(resetText, NumberStyles.Float, CultureInfo.InvariantCulture, out double resetAfter))
        {
            bucket.ResetAt = time.GetUtcNow() + TimeSpan.FromSeconds(resetAfter);
        }
    }

    /// <summary>Records a 401/403/429; for a 429 pauses the bucket or everything and returns how long to wait before retrying.</summary>
    public async Task<TimeSpan> OnFailureAsync(DiscordRoute route, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? scope = TryHeader(response, "X-RateLimit-Scope");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // Either way an invalid request for Cloudflare's count; only the bot token's 401 stops everything.
            CountInvalid();
            if (!route.InteractionToken)
            {
                _unauthorized = true;
                _unauthorizedSignal.TrySetResult();
            }

            return TimeSpan.Zero;
        }

        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            CountInvalid();
            return TimeSpan.Zero;
        }

        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return TimeSpan.Zero;
        }

        // Shared-scope 429s are not counted by Discord toward the invalid-request ban.
        if (!string.Equals(scope, "shared", StringComparison.OrdinalIgnoreCase))
        {
            CountInvalid();
        }

        string mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        RateLimitBody? body = null;
        if (mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                body = await response.Content.ReadFromJsonAsync(DiscordJsonContext.Default.RateLimitBody, cancellationToken);
            }
            catch (JsonException)
            {
                // A malformed body still carries the Retry-After header; fall back to it below.
            }
        }

        TimeSpan retryAfter = body is { RetryAfter: > 0 }
            ? TimeSpan.FromSeconds(body.RetryAfter)
            : response.Headers.RetryAfter?.Delta
                ?? (body is null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase)
                    ? MaxWait // Cloudflare's HTML 429: a ban, not a bucket; back off as long as we are willing to.
                    : TimeSpan.FromSeconds(1));
        bool global = body?.Global == true
            || string.Equals(TryHeader(response, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(scope, "global", StringComparison.OrdinalIgnoreCase)
            || body is null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase);

        DateTimeOffset until = time.GetUtcNow() + retryAfter;
        if (global)
        {
            lock (_gate)
            {
                if (until > _globalPauseUntil)
                {
                    _globalPauseUntil = until;
                }
            }

            LogGlobalRateLimited(logger, route.Template, retryAfter.TotalSeconds);
        }
        else
        {
            BucketState bucket = GetBucket(route);
            bucket.Remaining = 0;
            bucket.ResetAt = until;
            LogRouteRateLimited(logger, route.Template, retryAfter.TotalSeconds, scope ?? "user");
        }

        return retryAfter;
    }

    private BucketState GetBucket(DiscordRoute route)
    {
        string id = _routeToBucket.TryGetValue(route.Key, out string? hash) ? hash : route.Key;
        if (_buckets.Count > MaxBuckets)
        {
            PruneIdleBuckets();
        }

        return _buckets.GetOrAdd($"{id}|{route.MajorId}", static _ => new BucketState());
    }

    /// <summary>Every interaction token and channel gets a bucket; forget the ones whose window is over and that nobody holds.</summary>
    private void PruneIdleBuckets()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach (KeyValuePair<string, BucketState> entry in _buckets)
        {
            if (entry.Value.ResetAt < now && entry.Value.Gate.CurrentCount == 1)
            {
                _buckets.TryRemove(entry);
            }
        }
    }

    private async Task WaitCappedAsync(DiscordRoute route, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait > MaxWait)
        {
            throw new DiscordRateLimitedException(route.Template, $"Discord rate limit on {route.Template} lasts {wait.TotalSeconds:0.#} s, longer than Discord:MaxRateLimitWait ({MaxWait.TotalSeconds:0.#} s).");
        }

        LogWaiting(logger, route.Template, wait.TotalMilliseconds);
        await Task.Delay(wait, time, cancellationToken);
    }

    private void CountInvalid()
    {
        lock (_gate)
        {
            _invalid.Enqueue(time.GetUtcNow());
        }
    }

    private void CheckInvalidRequests(DiscordRoute route)
    {
        int count;
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            while (_invalid.Count > 0 && now - _invalid.Peek() >= InvalidRequestWindow)
            {
                _invalid.Dequeue();
            }

            count = _invalid.Count;
        }

        if (count >= InvalidRequestLimit)
        {
            LogInvalidRequestGuard(logger, count);
            throw new DiscordRateLimitedException(route.Template, $"{count} invalid Discord requests (401/403/429) in 10 minutes; sending is paused to avoid a Cloudflare ban.");
        }
    }

    private static string? TryHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    [LoggerMessage(2101, LogLevel.Warning, "Discord route {Route} rate limited for {RetryAfterSeconds} s (scope {Scope})")]
    private static partial void LogRouteRateLimited(ILogger logger, string route, double retryAfterSeconds, string scope);

    [LoggerMessage(2102, LogLevel.Warning, "Discord global rate limit hit on {Route}: all requests pause for {RetryAfterSeconds} s")]
    private static partial void LogGlobalRateLimited(ILogger logger, string route, double retryAfterSeconds);

    [LoggerMessage(2103, LogLevel.Debug, "Waiting {WaitMs} ms for the Discord rate limit of {Route}")]
    private static partial void LogWaiting(ILogger logger, string route, double waitMs);

    [LoggerMessage(2104, LogLevel.Error, "{Count} invalid Discord requests in 10 minutes: refusing to send until the window clears")]
    private static partial void LogInvalidRequestGuard(ILogger logger, int count);

    private sealed class BucketState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Remaining { get; set; } = 1;

        public DateTimeOffset ResetAt { get; set; }
    }

    private sealed class Lease(BucketState bucket) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bucket.Gate.Release();
            }
        }
    }
}
