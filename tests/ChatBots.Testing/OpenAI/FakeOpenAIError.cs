using System.Text.Json.Nodes;

namespace ChatBots.Testing.OpenAI;

/// <summary>
/// An error the fake answers with: an HTTP status and an OpenAI-shaped body
/// (<c>{"error":{"message","type","param","code"}}</c>), optionally with Retry-After headers.
/// </summary>
public sealed record FakeOpenAIError(int Status, string Message, string? Type, string? Code)
{
    /// <summary>Sent as <c>Retry-After</c> (whole seconds).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Sent as <c>retry-after-ms</c>, as OpenAI does alongside Retry-After.</summary>
    public int? RetryAfterMilliseconds { get; init; }

    /// <summary>Replaces the JSON body entirely (for compatible servers with other shapes).</summary>
    public string? RawBody { get; init; }

    public static FakeOpenAIError RateLimited(int? retryAfterSeconds = 1) =>
        new(429, "Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public static FakeOpenAIError QuotaExhausted() =>
        new(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota");

    public static FakeOpenAIError ContextLengthExceeded(int maximum = 128000, int requested = 130000) =>
        new(400, $"This model's maximum context length is {maximum} tokens. However, your messages resulted in {requested} tokens. Please reduce the length of the messages.", "invalid_request_error", "context_length_exceeded");

    /// <summary>A 401 whose message quotes the key, as OpenAI's does (partly masked there; verbatim here to catch leaks).</summary>
    public static FakeOpenAIError Unauthorized(string? presentedKey = null) =>
        new(401, $"Incorrect API key provided: {presentedKey ?? "sk-unknown"}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key");

    public static FakeOpenAIError ModelNotFound(string model = "unknown-model") =>
        new(404, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");

    public static FakeOpenAIError ServerError() =>
        new(500, "The server had an error while processing your request. Sorry about that!", "server_error", null);

    public static FakeOpenAIError UnsupportedAudioFormat() =>
        new(400, "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", "invalid_request_error", "invalid_value");

    /// <summary>OpenAI's answer to audio longer than the model takes (same type and code as a bad format; only the message differs).</summary>
    public static FakeOpenAIError AudioTooLong(double seconds = 1510.5, int maximum = 1500) =>
        new(400, FormattableString.Invariant($"audio duration {seconds} seconds is longer than {maximum} seconds which is the maximum for this model"), "invalid_request_error", "invalid_value");

    public string ToJson() => RawBody ?? new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["message"] = Message,
            ["type"] = Type,
            ["param"] = null,
            ["code"] = Code,
        },
    }.ToJsonString();
}
