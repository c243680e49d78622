using System.ComponentModel.DataAnnotations;

namespace ChatBots.OpenAI;

/// <summary>The <c>OpenAI</c> configuration section: where the models live and how calls to them behave.</summary>
public sealed class OpenAIOptions
{
    public const string SectionName = "OpenAI";

    /// <summary>The environment variable OpenAI's own tools read; honoured when <see cref="ApiKey"/> is empty.</summary>
    public const string ApiKeyEnvironmentVariable = "OPENAI_API_KEY";

    /// <summary>
    /// The API key. May stay empty for a compatible local server (<see cref="BaseUrl"/> set); with neither, every
    /// call fails as <c>AuthFailed</c> without reaching the network.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Base URL of any OpenAI-compatible server including <c>/v1</c>; empty means the public API.</summary>
    public string? BaseUrl { get; set; }

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:Model must name the chat model.")]
    public string Model { get; set; } = "gpt-6-luna";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:SummaryModel must name the model that writes summaries.")]
    public string SummaryModel { get; set; } = "gpt-6-luna";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:TranscriptionModel must name the speech-to-text model.")]
    public string TranscriptionModel { get; set; } = "gpt-4o-mini-transcribe";

    /// <summary>The model for translating speech to English; OpenAI only offers it on whisper-1.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:TranslationModel must name the speech translation model.")]
    public string TranslationModel { get; set; } = "whisper-1";

    /// <summary>Optional outbound HTTP proxy, e.g. <c>http://user:pass@host:3128</c>.</summary>
    public string? Proxy { get; set; }

    /// <summary>How long one request (or one read of a stream) may wait for the server.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "OpenAI:NetworkTimeout must be between 00:00:01 and 00:10:00.")]
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of a transient failure (408, 429 other than quota, 5xx, dropped connection).</summary>
    [Range(0, 5, ErrorMessage = "OpenAI:MaxRetries must be between 0 and 5.")]
    public int MaxRetries { get; set; } = 2;

    /// <summary>The longest wait before a retry, whatever Retry-After the server asks for.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "OpenAI:MaxRetryDelay must be between 00:00:00 and 00:10:00.")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);
}
