using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatBots.OpenAI;

/// <summary>
/// The only retry layer of OpenAI calls. Unlike the SDK's default it caps every wait at <c>maxRetryDelay</c>
/// (a 429 may say "retry in 114 hours": https://github.com/openai/openai-dotnet/issues/404) and never retries
/// <c>insufficient_quota</c>, which cannot succeed until the owner pays. Waits run on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class CappedRetryPolicy : ClientRetryPolicy
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(800);

    private readonly int _maxRetries;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public CappedRetryPolicy(int maxRetries, TimeSpan maxRetryDelay, TimeProvider timeProvider, ILogger<CappedRetryPolicy>? logger = null)
        : base(maxRetries, enableLogging: false, loggerFactory: null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetryDelay, TimeSpan.Zero);
        _maxRetries = maxRetries;
        _maxRetryDelay = maxRetryDelay;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception)
    {
        if (message.Response is { Status: 429 } response && exception is null)
        {
            // Streaming responses are not buffered; an error body is small, so read it to see the error code.
            try
            {
                response.BufferContent(message.CancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The body could not be read: without an error code, treat it as an ordinary rate limit.
            }
        }

        return Decide(message, exception);
    }

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception)
    {
        if (message.Response is { Status: 429 } response && exception is null)
        {
            try
            {
                await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // As above: an unreadable body is an ordinary rate limit.
            }
        }

        return Decide(message, exception);
    }

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        // 0.8 s, 1.6 s, 3.2 s, ... with ±20 % jitter so that several bots hitting the same limit do not come
        // back in lockstep.
        int retriesSoFar = RetriesSoFar(message);
        double jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        TimeSpan backoff = InitialBackoff * Math.Pow(2, Math.Min(retriesSoFar, 16)) * jitter;

        TimeSpan requested = backoff;
        if (message.Response is not null && TryGetRetryAfter(message.Response, out TimeSpan retryAfter) && retryAfter > requested)
        {
            requested = retryAfter;
        }

        TimeSpan delay = requested > _maxRetryDelay ? _maxRetryDelay : requested;
        if (requested > _maxRetryDelay)
        {
            Log.RetryDelayCapped(_logger, requested, delay);
        }

        int retry = retriesSoFar + 1;
        if (message.Response is { } response)
        {
            Log.RetryingStatus(_logger, response.Status, retry, _maxRetries, delay);
        }
        else
        {
            Log.RetryingException(_logger, "connection", retry, _maxRetries, delay);
        }

        return delay;
    }

    protected override void OnTryComplete(PipelineMessage message)
    {
        // Called once per retry, after the wait. PipelineMessage.RetryCount is internal, so count on the message itself.
        if (message.TryGetProperty(typeof(RetryState), out object? state) && state is RetryState retryState)
        {
            retryState.Retries++;
        }
        else
        {
            message.SetProperty(typeof(RetryState), new RetryState { Retries = 1 });
        }

        base.OnTryComplete(message);
    }

    protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken) =>
        Task.Delay(time, _timeProvider, cancellationToken);

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken)
    {
        // The synchronous pipeline path: a timer from the TimeProvider releases the wait, the token aborts it.
        using var elapsed = new ManualResetEventSlim();
        using ITimer timer = _timeProvider.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), elapsed, time, Timeout.InfiniteTimeSpan);
        elapsed.Wait(cancellationToken);
    }

    private static int RetriesSoFar(PipelineMessage message) =>
        message.TryGetProperty(typeof(RetryState), out object? state) && state is RetryState retryState ? retryState.Retries : 0;

    private bool Decide(PipelineMessage message, Exception? exception)
    {
        if (RetriesSoFar(message) >= _maxRetries || message.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (exception is not null)
        {
            return IsTransient(exception);
        }

        PipelineResponse? response = message.Response;
        if (response is null)
        {
            return false;
        }

        switch (response.Status)
        {
            case 408:
                return true;
            case 429:
                if (OpenAIErrorBody.Parse(response.Content).IsQuotaExhausted)
                {
                    Log.QuotaExhausted(_logger);
                    return false;
                }

                return true;
            case >= 500:
                return true;
            default:
                return false;
        }
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        // The transport reports a dropped connection as a status-less ClientResultException.
        ClientResultException { Status: 0 } => true,
        HttpRequestException or IOException or TimeoutException => true,

        // The caller's token is checked first; a cancellation here is the network timeout firing.
        OperationCanceledException => true,
        _ => false,
    };

    private bool TryGetRetryAfter(PipelineResponse response, out TimeSpan retryAfter)
    {
        if ((response.Headers.TryGetValue("retry-after-ms", out string? ms) || response.Headers.TryGetValue("x-ms-retry-after-ms", out ms))
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double milliseconds) && milliseconds >= 0)
        {
            retryAfter = TimeSpan.FromMilliseconds(Math.Min(milliseconds, TimeSpan.MaxValue.TotalMilliseconds / 2));
            return true;
        }

        if (response.Headers.TryGetValue("Retry-After", out string? value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0)
            {
                retryAfter = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
                return true;
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                TimeSpan untilThen = at - _timeProvider.GetUtcNow();
                retryAfter = untilThen > TimeSpan.Zero ? untilThen : TimeSpan.Zero;
                return true;
            }
        }

        retryAfter = default;
        return false;
    }
}
