using ChatBots.Engine.Costs;

namespace ChatBots.Engine.Models;

/// <summary>Prices of one model, in USD.</summary>
public sealed record ModelPrices(decimal InputPerMTok, decimal CachedInputPerMTok, decimal OutputPerMTok, decimal AudioPerMinute, string AsOf)
{
    /// <summary>
    /// Cost of a call: uncached input at the input price, cached input at the cached price, output at the output price.
    /// USD per 1M tokens × tokens is exactly micro-USD; rounded up once.
    /// </summary>
    public MicroUsd ChatCost(long inputTokens, long cachedInputTokens, long outputTokens)
    {
        long cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        decimal micro = ((inputTokens - cached) * InputPerMTok) + (cached * CachedInputPerMTok) + (outputTokens * OutputPerMTok);
        return new MicroUsd((long)decimal.Ceiling(micro));
    }

    /// <summary>Cost of transcribing <paramref name="seconds"/> of audio at the per-minute price.</summary>
    public MicroUsd AudioCost(decimal seconds) => new((long)decimal.Ceiling(seconds / 60m * AudioPerMinute * 1_000_000m));
}

/// <summary>What the engine knows about a model.</summary>
/// <param name="Id">The model id asked for.</param>
/// <param name="Encoding">The tokenizer encoding name.</param>
/// <param name="ContextWindow">Total tokens the model accepts (prompt + output).</param>
/// <param name="MaxOutputTokens">Most output tokens it produces.</param>
/// <param name="Prices">Its prices.</param>
/// <param name="IsListed">False when the catalogue has no entry: defaults were used and costs are estimates.</param>
public sealed record ModelInfo(string Id, string Encoding, int ContextWindow, int MaxOutputTokens, ModelPrices Prices, bool IsListed);
