using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Models;

/// <summary>One model's facts as configured in <c>config/models.json</c> (section <c>Models:Entries:&lt;id&gt;</c>).</summary>
public sealed class ModelEntryOptions
{
    /// <summary><c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public string Encoding { get; set; } = TokenEncodings.O200kBase;

    [Range(0, int.MaxValue)]
    public int ContextWindow { get; set; }

    [Range(0, int.MaxValue)]
    public int MaxOutputTokens { get; set; }

    /// <summary>USD per 1M input tokens.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal InputPerMTok { get; set; }

    /// <summary>USD per 1M cached input tokens; the input price when not given.</summary>
    public decimal? CachedInputPerMTok { get; set; }

    /// <summary>USD per 1M output tokens.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal OutputPerMTok { get; set; }

    /// <summary>USD per minute of audio, for transcription models.</summary>
    public decimal? AudioPerMinute { get; set; }
}

/// <summary>The model catalogue: facts and prices per model id, with the date the prices were taken.</summary>
public sealed class ModelCatalogueOptions
{
    public const string Section = "Models";

    /// <summary>The date the prices were read from the provider's price page (ISO date).</summary>
    [Required(ErrorMessage = "Models:PricesAsOf is required: the date the prices in config/models.json were taken (e.g. 2026-11-28).")]
    public string PricesAsOf { get; set; } = "";

    /// <summary>Model id (or id prefix, matched longest first) → facts.</summary>
    public Dictionary<string, ModelEntryOptions> Entries { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What an unlisted model is assumed to be: deliberately small window and high prices.</summary>
    public ModelEntryOptions Unknown { get; set; } = new()
    {
        Encoding = TokenEncodings.O200kBase,
        ContextWindow = 8_192,
        MaxOutputTokens = 1_024,
        InputPerMTok = 10m,
        CachedInputPerMTok = 10m,
        OutputPerMTok = 40m,
        AudioPerMinute = 0.02m,
    };
}
