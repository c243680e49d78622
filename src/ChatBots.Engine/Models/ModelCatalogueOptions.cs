using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Models;

/// <summary>The model catalogue: facts and prices per model id, with the date the prices were taken.</summary>
/// <remarks>The entries are checked by <see cref="ModelCatalogueOptionsValidator"/>: data annotations do not look inside a dictionary.</remarks>
public sealed class ModelCatalogueOptions
{
    public const string Section = "Models";

    /// <summary>The date the prices were read from the provider's price page (ISO date).</summary>
    [Required(ErrorMessage = "Models:PricesAsOf is required: the date the prices in config/models.json were taken (e.g. 2026-11-28).")]
    public string PricesAsOf { get; set; } = "";

    /// <summary>
    /// Model id → facts. An id matches its entry exactly, or as a dated snapshot (the id and <c>-MMDD</c> or
    /// <c>-YYYY-MM-DD</c>: <c>gpt-4-0613</c>, <c>gpt-4o-2024-08-06</c>), or with a ':' suffix (<c>llama3:latest</c>); fine-tunes
    /// (<c>ft:&lt;base&gt;:…</c>) match their base. The longest matching key wins.
    /// </summary>
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
