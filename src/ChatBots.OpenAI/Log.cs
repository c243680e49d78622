using ChatBots.Engine.Models;
using Microsoft.Extensions.Logging;

namespace ChatBots.OpenAI;

/// <summary>Log events of the OpenAI layer (ids 3000–3099). No keys, URLs with secrets or message text.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "OpenAI request failed with HTTP {Status}; retry {Retry} of {MaxRetries} in {Delay}")]
    public static partial void RetryingStatus(ILogger logger, int status, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(3002, LogLevel.Information, "OpenAI request failed ({ErrorType}); retry {Retry} of {MaxRetries} in {Delay}")]
    public static partial void RetryingException(ILogger logger, string errorType, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(3003, LogLevel.Warning, "OpenAI asked to wait {RequestedDelay} before retrying; waiting only {Delay} (OpenAI:MaxRetryDelay)")]
    public static partial void RetryDelayCapped(ILogger logger, TimeSpan requestedDelay, TimeSpan delay);

    [LoggerMessage(3004, LogLevel.Warning, "OpenAI account is out of quota (insufficient_quota); not retrying")]
    public static partial void QuotaExhausted(ILogger logger);

    [LoggerMessage(3005, LogLevel.Debug, "OpenAI {Operation} with model {Model} failed: {Kind} (HTTP {Status})")]
    public static partial void CallFailed(ILogger logger, string operation, string model, ModelErrorKind kind, int? status);

    [LoggerMessage(3006, LogLevel.Information, "OpenAI client created for {Endpoint}, proxy {ProxyConfigured}, timeout {NetworkTimeout}, {MaxRetries} retries capped at {MaxRetryDelay}")]
    public static partial void ClientCreated(ILogger logger, string endpoint, bool proxyConfigured, TimeSpan networkTimeout, int maxRetries, TimeSpan maxRetryDelay);
}
