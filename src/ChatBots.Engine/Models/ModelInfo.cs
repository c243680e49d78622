using ChatBots.Engine.Costs;

namespace ChatBots.Engine.Models;

/// <summary>Prices of one model, in USD.</summary>
public sealed record ModelPrices(decimal InputPerMTok, decimal CachedInputPerMTok, decimal OutputPerMTok, decimal AudioPerMinute, string AsOf)
{
    /// <summary>
    /// Prompts of more input tokens than this bill the whole request at the long-context multipliers (null: no such
    /// tier). OpenAI's newest models: above 272K input tokens, 2× input and 1.5× output.
    /// </summary>
    public long? LongContextThreshold { get; init; }

    /// <summary>Factor on the input and cached-input prices of a long-context request.</summary>
    public decimal LongContextInputMultiplier { get; init; } = 1m;

    /// <summary>Factor on the output price of a long-context request.</summary>
    public decimal LongContextOutputMultiplier { get; init; } = 1m;

    /// <summary>True when a prompt of <paramref name="inputTokens"/> is billed at the long-context tier.</summary>
    public bool IsLongContext(long inputTokens) => LongContextThreshold is { } threshold && inputTokens > threshold;

    /// <summary>The output price per 1M tokens of a request with <paramref name="inputTokens"/> of prompt.</summary>
    public decimal OutputPerMTokFor(long inputTokens) =>
        IsLongContext(inputTokens) ? OutputPerMTok * LongContextOutputMultiplier : OutputPerMTok;

    /// <summary>
    /// Cost of a call: uncached input at the input price, cached input at the cached price, output at the output price,
    /// all at the long-context tier when the prompt is above its threshold (the whole request, not only the excess).
    /// USD per 1M tokens × tokens is exactly micro-USD; rounded up once.
    /// </summary>
    public MicroUsd ChatCost(long inputTokens, long cachedInputTokens, long outputTokens)
    {
        long cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        decimal inputFactor = IsLongContext(inputTokens) ? LongContextInputMultiplier : 1m;
        decimal micro = (((inputTokens - cached) * InputPerMTok) + (cached * CachedInputPerMTok)) * inputFactor
            + (outputTokens * OutputPerMTokFor(inputTokens));
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
public sealed record ModelInfo(string Id, string Encoding, int ContextWindow, int MaxOutputTokens, ModelPrices Prices, bool IsListed)
{
    /// <summary>Most prompt tokens the model accepts, when lower than the window less the output (gpt-5: 272K of 400K); null: no separate limit.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>
    /// True when the prices are the catalogue's best guess although the model resolved: a fine-tune
    /// (<c>ft:gpt-4o-mini-2024-07-18:org::id</c>) takes its base model's entry, but fine-tuned inference has its own prices.
    /// </summary>
    public bool PricesEstimated { get; init; }
}
