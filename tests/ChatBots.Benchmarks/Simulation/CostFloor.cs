namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// The least any policy must pay for a script if every prompt keeps the last <see cref="Exchanges"/> exchanges
/// verbatim, split by cause; amounts are exact micro-dollars (decimal, not rounded per call, so the sum is a lower bound
/// of any billed total).
/// </summary>
/// <param name="Exchanges">Exchanges (question + answer) every prompt must keep, or all before it when fewer exist.</param>
/// <param name="MeanRequiredPromptTokens">Mean size of the smallest allowed prompt: system, kept exchanges, question.</param>
/// <param name="PromptsBelowCacheMinimum">Prompts whose reusable part is under the 1,024-token caching minimum.</param>
/// <param name="OutputMicroUsd">The script's answers at the output price: the same for every policy.</param>
/// <param name="FirstSendMicroUsd">
/// Every question, every answer but the last (when at least one exchange is kept) and the system prompt once, each the
/// first time it is sent: it cannot be in a cached prefix, since no earlier request contained it.
/// </param>
/// <param name="KeptCachedMicroUsd">The rest of every smallest allowed prompt (system and kept exchanges) at the cached price.</param>
/// <param name="CacheStepsMicroUsd">
/// What the 1,024-token minimum and the 128-token steps add to that, taking per prompt the cheaper of sending the
/// reusable part uncached and padding it to the next cacheable length (padding paid at the cached price).
/// </param>
/// <param name="UnpaddedCacheStepsMicroUsd">The same for a policy that sends only what it must (no padding).</param>
public sealed record CostFloor(
    int Exchanges,
    double MeanRequiredPromptTokens,
    int PromptsBelowCacheMinimum,
    decimal OutputMicroUsd,
    decimal FirstSendMicroUsd,
    decimal KeptCachedMicroUsd,
    decimal CacheStepsMicroUsd,
    decimal UnpaddedCacheStepsMicroUsd)
{
    /// <summary>The floor: no policy keeping <see cref="Exchanges"/> exchanges verbatim can be billed less.</summary>
    public decimal TotalMicroUsd => OutputMicroUsd + FirstSendMicroUsd + KeptCachedMicroUsd + CacheStepsMicroUsd;

    /// <summary>The floor of a policy that sends exactly the required prompt, no padding.</summary>
    public decimal UnpaddedTotalMicroUsd => OutputMicroUsd + FirstSendMicroUsd + KeptCachedMicroUsd + UnpaddedCacheStepsMicroUsd;
}
