using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Models;

/// <summary>
/// Resolves a model id to its facts: exact entry, else the longest configured prefix (<c>gpt-4o-mini-2024-07-18</c> →
/// <c>gpt-4o-mini</c>), else conservative defaults with a warning logged once per model. Follows config reloads.
/// </summary>
public sealed partial class ModelCatalogue
{
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
        ModelEntryOptions? entry = null;
        int bestLength = -1;
        foreach ((string key, ModelEntryOptions value) in options.Entries)
        {
            if (modelId.StartsWith(key, StringComparison.OrdinalIgnoreCase) && key.Length > bestLength)
            {
                entry = value;
                bestLength = key.Length;
            }
        }

        if (entry is null)
        {
            if (_warned.TryAdd(modelId, true))
            {
                LogUnknownModel(_logger, modelId, options.Unknown.ContextWindow);
            }

            return ToInfo(modelId, options.Unknown, "unlisted", isListed: false);
        }

        return ToInfo(modelId, entry, options.PricesAsOf, isListed: true);
    }

    /// <summary>True when the model id matches a catalogue entry.</summary>
    public bool IsListed(string modelId) => _options.CurrentValue.Entries.Keys.Any(k => modelId.StartsWith(k, StringComparison.OrdinalIgnoreCase));

    private static ModelInfo ToInfo(string id, ModelEntryOptions e, string asOf, bool isListed)
    {
        var prices = new ModelPrices(e.InputPerMTok, e.CachedInputPerMTok ?? e.InputPerMTok, e.OutputPerMTok, e.AudioPerMinute ?? 0m, asOf);
        string encoding = TokenEncodings.Normalize(e.Encoding);
        return new ModelInfo(id, encoding, e.ContextWindow, e.MaxOutputTokens, prices, isListed);
    }

    [LoggerMessage(2001, LogLevel.Warning, "Model {Model} is not in the catalogue (config/models.json): using o200k_base, a {Window}-token window and high default prices; its costs are marked as estimates")]
    private static partial void LogUnknownModel(ILogger logger, string model, int window);
}
