namespace ChatBots.Benchmarks.Simulation;

/// <summary>The outcome of replaying one script under one policy.</summary>
public sealed record PolicyResult(
    string Script,
    string Policy,
    int Requests,
    long CostMicroUsd,
    double CachedShare,
    double MeanPromptTokens,
    int SummaryCalls,
    long SummaryCostMicroUsd,
    long OutputCostMicroUsd,
    int? FewestKept,
    bool KeptLast8)
{
    public decimal CostUsd => CostMicroUsd / 1_000_000m;

    public decimal SummaryCostUsd => SummaryCostMicroUsd / 1_000_000m;

    public decimal OutputCostUsd => OutputCostMicroUsd / 1_000_000m;

    /// <summary>The fewest recent exchanges kept, or "all" when no prompt ever left one out.</summary>
    public string FewestKeptText => FewestKept?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all";
}
