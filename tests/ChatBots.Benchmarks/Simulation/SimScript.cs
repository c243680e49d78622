namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// A scripted conversation for the cost simulator: each turn is one user message and the answer the fake model gives
/// to it, so every policy sees exactly the same answers.
/// </summary>
public sealed record SimScript(string Name, string Description, bool IsGroup, IReadOnlyList<ScriptTurn> Turns);
