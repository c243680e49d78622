namespace ChatBots.Engine.Models;

/// <summary>One model's facts as configured in <c>config/models.json</c> (section <c>Models:Entries:&lt;id&gt;</c>).</summary>
public sealed class ModelEntryOptions
{
    /// <summary><c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public string Encoding { get; set; } = TokenEncodings.O200kBase;

    /// <summary>Total tokens the model accepts (prompt + output). 0 only for transcription models.</summary>
    public int ContextWindow { get; set; }

    /// <summary>Most output tokens the model produces; below the window.</summary>
    public int MaxOutputTokens { get; set; }

    /// <summary>Most prompt tokens, when the model has a separate input limit (gpt-5: 272,000 of a 400,000 window).</summary>
    public int? MaxInputTokens { get; set; }

    /// <summary>USD per 1M input tokens.</summary>
    public decimal InputPerMTok { get; set; }

    /// <summary>USD per 1M cached input tokens; the input price when not given.</summary>
    public decimal? CachedInputPerMTok { get; set; }

    /// <summary>USD per 1M output tokens.</summary>
    public decimal OutputPerMTok { get; set; }

    /// <summary>USD per minute of audio, for transcription models.</summary>
    public decimal? AudioPerMinute { get; set; }

    /// <summary>Prompts of more input tokens than this are billed at the long-context multipliers, for the whole request.</summary>
    public int? LongContextThreshold { get; set; }

    /// <summary>Factor on input (and cached input) prices above <see cref="LongContextThreshold"/> (OpenAI's newest models: 2).</summary>
    public decimal? LongContextInputMultiplier { get; set; }

    /// <summary>Factor on the output price above <see cref="LongContextThreshold"/> (OpenAI's newest models: 1.5).</summary>
    public decimal? LongContextOutputMultiplier { get; set; }

    /// <summary>True for an entry that only prices audio (a transcription model): no window, no token prices needed.</summary>
    internal bool IsAudioOnly => AudioPerMinute is not null && ContextWindow == 0 && MaxOutputTokens == 0;
}
