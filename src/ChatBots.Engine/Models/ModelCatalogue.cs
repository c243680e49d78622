using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Models;

/// <summary>
/// Resolves a model id to its facts: the exact entry, else the entry it is a dated snapshot of
/// (<c>gpt-4o-mini-2024-07-18</c> → <c>gpt-4o-mini</c>) or a tagged variant of (<c>llama3:latest</c> → <c>llama3</c>),
/// else conservative defaults with a warning logged once per model. A fine-tune (<c>ft:gpt-4o-mini-2024-07-18:org::id</c>)
/// takes its base model's entry with its prices marked as estimates. Follows config reloads.
/// </summary>
/// <remarks>
/// A bare prefix is not enough: <c>gpt-4</c> (cl100k, 8K window, $30/$60) must not catch <c>gpt-4.5-preview</c> or
/// <c>gpt-4o-something</c>, nor <c>gpt-5</c> catch <c>gpt-5.6-x</c>. Such ids are unlisted until someone lists them.
/// </remarks>
public sealed partial class ModelCatalogue
{
    private const string FineTunePrefix = "ft:";

    private readonly IOptionsMonitor<ModelCatalogueOptions> _options;
    private readonly ILogger<ModelCatalogue> _logger;
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.OrdinalIgnoreCase);

    public ModelCatalogue(IOptionsMonitor<ModelCatalogueOptions> options, ILogger<ModelCatalogue> logger)
    {
        _options = options;
        _logger = logger;
    }

    public ModelInfo Resolve(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ModelCatalogueOptions options = _options.CurrentValue;
        (string? key, ModelEntryOptions? entry, bool fineTune) = Find(options, modelId);
        if (entry is null && _warned.TryAdd(modelId, true))
        {
            LogUnknownModel(_logger, modelId, options.Unknown.ContextWindow);
        }
        else if (fineTune && _warned.TryAdd(modelId, true))
        {
            LogFineTune(_logger, modelId, key!);
        }

        return Describe(options, modelId);
    }

    /// <summary>What <see cref="Resolve"/> returns, without logging (for validation at start).</summary>
    internal static ModelInfo Describe(ModelCatalogueOptions options, string modelId)
    {
        (_, ModelEntryOptions? entry, bool fineTune) = Find(options, modelId);
        return entry is null
            ? ToInfo(modelId, options.Unknown, "unlisted", isListed: false)
            : ToInfo(modelId, entry, options.PricesAsOf, isListed: true) with { PricesEstimated = fineTune };
    }

    /// <summary>True when the model id matches a catalogue entry.</summary>
    public bool IsListed(string modelId) => Find(_options.CurrentValue, modelId).Entry is not null;

    /// <summary>The entry <paramref name="modelId"/> resolves to (its key, and whether the id is a fine-tune of it), without logging.</summary>
    internal static (string? Key, ModelEntryOptions? Entry, bool FineTune) Find(ModelCatalogueOptions options, string modelId)
    {
        string id = modelId.Trim();
        bool fineTune = false;
        if (id.StartsWith(FineTunePrefix, StringComparison.OrdinalIgnoreCase))
        {
            // OpenAI names fine-tunes ft:<base model snapshot>:<organisation>:<suffix>:<id>, e.g.
            // ft:gpt-4o-mini-2024-07-18:acme::abc123 (an empty suffix leaves "::").
            string rest = id[FineTunePrefix.Length..];
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            id = colon < 0 ? rest : rest[..colon];
            fineTune = true;
        }

        string? bestKey = null;
        ModelEntryOptions? best = null;
        foreach ((string key, ModelEntryOptions value) in options.Entries)
        {
            if (Matches(id, key) && (bestKey is null || key.Length > bestKey.Length))
            {
                bestKey = key;
                best = value;
            }
        }

        return (bestKey, best, fineTune && best is not null);
    }

    /// <summary>
    /// The id is the key, or the key followed by a snapshot date (<c>-0613</c>, <c>-2024-08-06</c>), or by ':' (a tag or
    /// variant). Only a date makes a snapshot: <c>gpt-4-32k</c> is not <c>gpt-4</c> (it costs twice as much), and
    /// snapshots whose prices differ from their alias (<c>gpt-4o-2024-05-13</c>) are listed as entries of their own,
    /// which win as the longer key.
    /// </summary>
    internal static bool Matches(string id, string key)
    {
        if (key.Length == 0 || !id.StartsWith(key, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<char> rest = id.AsSpan(key.Length);
        return rest.IsEmpty || rest[0] == ':' || IsSnapshotDate(rest);
    }

    /// <summary><c>-MMDD</c> (OpenAI's older snapshots: <c>gpt-4-0613</c>) or <c>-YYYY-MM-DD</c>, and nothing after it.</summary>
    private static bool IsSnapshotDate(ReadOnlySpan<char> suffix) => suffix.Length switch
    {
        5 => suffix[0] == '-' && AllDigits(suffix[1..]),
        11 => suffix[0] == '-' && AllDigits(suffix[1..5]) && suffix[5] == '-' && AllDigits(suffix[6..8]) && suffix[8] == '-' && AllDigits(suffix[9..]),
        _ => false,
    };

    private static bool AllDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    private static ModelInfo ToInfo(string id, ModelEntryOptions e, string asOf, bool isListed)
    {
        var prices = new ModelPrices(e.InputPerMTok, e.CachedInputPerMTok ?? e.InputPerMTok, e.OutputPerMTok, e.AudioPerMinute ?? 0m, asOf)
        {
            LongContextThreshold = e.LongContextThreshold,
            LongContextInputMultiplier = e.LongContextInputMultiplier ?? 1m,
            LongContextOutputMultiplier = e.LongContextOutputMultiplier ?? 1m,
        };
        string encoding = TokenEncodings.Normalize(e.Encoding);
        return new ModelInfo(id, encoding, e.ContextWindow, e.MaxOutputTokens, prices, isListed) { MaxInputTokens = e.MaxInputTokens };
    }

    [LoggerMessage(2001, LogLevel.Warning, "Model {Model} is not in the catalogue (config/models.json): using o200k_base, a {Window}-token window and high default prices; its costs are marked as estimates")]
    private static partial void LogUnknownModel(ILogger logger, string model, int window);

    [LoggerMessage(2002, LogLevel.Warning, "Model {Model} is a fine-tune of {BaseModel}: using that entry's window and prices; fine-tuned inference is billed at its own prices, so its costs are marked as estimates")]
    private static partial void LogFineTune(ILogger logger, string model, string baseModel);
}
