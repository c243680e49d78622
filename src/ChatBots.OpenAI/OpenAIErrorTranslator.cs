using System.ClientModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using ChatBots.Engine.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.OpenAI;

/// <summary>
/// Turns SDK and transport failures into <see cref="ModelCallException"/>, so the engine never sees SDK types.
/// The original exception is deliberately not attached: OpenAI's 401 message echoes part of the key and a proxy
/// failure names the proxy URL with its credentials, and inner exceptions end up in logs.
/// </summary>
internal sealed partial class OpenAIErrorTranslator(IOptions<OpenAIOptions> options, ILogger<OpenAIErrorTranslator> logger)
{
    private const int MaxServerMessageLength = 300;

    /// <summary>Fails before any network traffic when there is nothing to authenticate with.</summary>
    public void ThrowIfNoCredentials(string operation, string model)
    {
        OpenAIOptions value = options.Value;
        if (string.IsNullOrWhiteSpace(value.ApiKey) && string.IsNullOrWhiteSpace(value.BaseUrl))
        {
            Log.CallFailed(logger, operation, model, ModelErrorKind.AuthFailed, null);
            throw new ModelCallException(
                ModelErrorKind.AuthFailed,
                $"OpenAI {operation} with model '{model}' not attempted: no API key. Set OpenAI:ApiKey (or OPENAI_API_KEY), or OpenAI:BaseUrl for a server that needs none.");
        }
    }

    /// <summary>
    /// Classifies <paramref name="exception"/>; false for the caller's own cancellation and for exceptions that
    /// are not call failures (they propagate unchanged).
    /// </summary>
    public bool TryTranslate(
        Exception exception, string operation, string model, CancellationToken callerToken, [NotNullWhen(true)] out ModelCallException? translated)
    {
        translated = null;
        if (exception is ModelCallException)
        {
            return false;
        }

        if (exception is OperationCanceledException && callerToken.IsCancellationRequested)
        {
            return false;
        }

        // The retry policy aggregates the exceptions of several failed tries; the last one tells what finally happened.
        if (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            exception = aggregate.InnerExceptions[^1];
        }

        (ModelErrorKind kind, int? status, string detail, string? code)? classified = exception switch
        {
            ClientResultException { Status: > 0 } result => Classify(result),
            ClientResultException result => (ModelErrorKind.Timeout, null, $"connection failed: {Redact(result.Message)}", null),
            HttpRequestException http => (ModelErrorKind.Timeout, null, $"connection failed: {Redact(http.Message)}", null),
            OperationCanceledException or TimeoutException => (ModelErrorKind.Timeout, null, "no answer within OpenAI:NetworkTimeout", null),
            IOException io => (ModelErrorKind.Timeout, null, $"connection dropped: {Redact(io.Message)}", null),
            _ => null,
        };

        if (classified is not { } c)
        {
            return false;
        }

        Log.CallFailed(logger, operation, model, c.kind, c.status);
        string statusText = c.status is { } s ? $"HTTP {s} " : "";
        translated = new ModelCallException(c.kind, $"OpenAI {operation} with model '{model}' failed: {statusText}{c.kind}: {c.detail}")
        {
            Status = c.status,
            ErrorCode = c.code,
        };
        return true;
    }

    private (ModelErrorKind, int?, string, string?) Classify(ClientResultException exception)
    {
        int status = exception.Status;
        OpenAIErrorBody body = OpenAIErrorBody.Empty;
        try
        {
            body = OpenAIErrorBody.Parse(exception.GetRawResponse()?.Content);
        }
        catch (InvalidOperationException)
        {
            // The content was not buffered (should not happen for errors); classify by status alone.
        }

        ModelErrorKind kind = body switch
        {
            { IsQuotaExhausted: true } => ModelErrorKind.QuotaExhausted,
            { IsInvalidApiKey: true } => ModelErrorKind.AuthFailed,
            _ when status == 401 => ModelErrorKind.AuthFailed,
            { IsModelNotFound: true } => ModelErrorKind.ModelNotFound,
            { IsContextTooLong: true } when status is >= 400 and < 500 => ModelErrorKind.ContextTooLong,
            _ when status == 404 => ModelErrorKind.ModelNotFound,
            _ when status == 429 => ModelErrorKind.RateLimited,
            _ when status == 408 => ModelErrorKind.Timeout,
            _ when status >= 500 => ModelErrorKind.ServerError,
            _ => ModelErrorKind.BadRequest,
        };

        string code = string.Join(": ", new[] { body.Type, body.Code }.Where(p => !string.IsNullOrWhiteSpace(p)));
        // An auth failure's server message quotes the key (partly masked); leave it out entirely.
        string message = kind == ModelErrorKind.AuthFailed ? "the API key was rejected" : Redact(body.Message ?? "");
        if (message.Length > MaxServerMessageLength)
        {
            message = message[..MaxServerMessageLength] + "…";
        }

        string detail = code.Length > 0 ? $"({code}) {message}" : message;

        // The provider's code names the failure in logs without its message (which may quote the key).
        string? errorCode = !string.IsNullOrWhiteSpace(body.Code) ? body.Code : !string.IsNullOrWhiteSpace(body.Type) ? body.Type : null;
        if (errorCode is { Length: > 64 })
        {
            errorCode = errorCode[..64];
        }

        return (kind, status, detail.Trim(), errorCode);
    }

    private string Redact(string text)
    {
        string? key = options.Value.ApiKey;
        if (!string.IsNullOrEmpty(key))
        {
            text = text.Replace(key, "***", StringComparison.Ordinal);
        }

        text = KeyLike().Replace(text, "sk-***");
        return UrlCredentials().Replace(text, "://***@");
    }

    [GeneratedRegex(@"sk-[A-Za-z0-9_\-\*\.]+")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"://[^/@\s]+@")]
    private static partial Regex UrlCredentials();
}
