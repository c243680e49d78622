namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// The cheapest way to replay a script sending, in every prompt, the system prompt and an unbroken run of the most
/// recent exchanges (at least the last <see cref="Exchanges"/>), over every possible schedule of when to drop old ones.
/// </summary>
/// <param name="Exchanges">Exchanges every prompt must keep verbatim.</param>
/// <param name="CostMicroUsd">The cost of the cheapest schedule, answers included (exact micro-dollars).</param>
/// <param name="Drops">How many times that schedule dropped exchanges from the front (each breaks the cached prefix).</param>
/// <param name="MeanPromptTokens">Mean prompt of that schedule.</param>
public sealed record WindowOptimum(int Exchanges, decimal CostMicroUsd, int Drops, double MeanPromptTokens);
