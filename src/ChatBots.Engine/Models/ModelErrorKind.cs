namespace ChatBots.Engine.Models;

/// <summary>Why a model call failed, as far as the user needs to know.</summary>
public enum ModelErrorKind
{
    /// <summary>The prompt was longer than the model accepts.</summary>
    ContextTooLong,

    /// <summary>Too many requests right now; a later try works.</summary>
    RateLimited,

    /// <summary>The account is out of credit; retrying never helps.</summary>
    QuotaExhausted,

    /// <summary>The API key is missing, wrong or revoked.</summary>
    AuthFailed,

    /// <summary>The model id is not known to the server.</summary>
    ModelNotFound,

    /// <summary>The server failed (5xx).</summary>
    ServerError,

    /// <summary>No answer in time, or the connection failed.</summary>
    Timeout,

    /// <summary>The server rejected the request for another reason.</summary>
    BadRequest,
}
