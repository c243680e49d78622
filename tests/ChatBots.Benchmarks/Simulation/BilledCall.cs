namespace ChatBots.Benchmarks.Simulation;

/// <summary>What one request cost: input (of which cached) and output tokens, priced in micro-USD.</summary>
public sealed record BilledCall(long InputTokens, long CachedInputTokens, long OutputTokens, long CostMicroUsd, bool IsSummary);
