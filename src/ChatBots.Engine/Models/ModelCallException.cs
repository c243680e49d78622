namespace ChatBots.Engine.Models;

/// <summary>
/// A classified failure of a model or transcription call. The OpenAI layer throws it so the engine never sees SDK types.
/// The message is for logs (no secrets); users get <see cref="UserMessage"/>.
/// </summary>
public sealed class ModelCallException : Exception
{
    public ModelCallException(ModelErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ModelErrorKind Kind { get; }

    /// <summary>HTTP status when there was a response.</summary>
    public int? Status { get; init; }

    /// <summary>The provider's own error code (<c>invalid_api_key</c>, <c>insufficient_quota</c>), when it sent one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>
    /// True for the failures that happen in normal operation and are fully described by kind, status and code (a bad key,
    /// no credit, a rate limit, a timeout…): logged without a stack trace. Anything else keeps its exception in the log.
    /// </summary>
    public bool IsRoutine => Kind != ModelErrorKind.BadRequest;

    /// <summary>A short sentence for the user, with no internals.</summary>
    public string UserMessage => Kind switch
    {
        ModelErrorKind.ContextTooLong => "That conversation got too long for the model, even after trimming. Try /reset.",
        ModelErrorKind.RateLimited => "The model is busy (rate limited). Please try again in a minute.",
        ModelErrorKind.QuotaExhausted => "The bot's AI account has run out of credit. The owner has to top it up.",
        ModelErrorKind.AuthFailed => "The bot's AI key was rejected. The owner has to fix the API key.",
        ModelErrorKind.ModelNotFound => "The configured model does not exist on the AI server. The owner has to fix the model name.",
        ModelErrorKind.ServerError => "The AI server had an error. Please try again.",
        ModelErrorKind.Timeout => "The AI server did not answer in time. Please try again.",
        _ => "The AI server rejected the request.",
    };
}
