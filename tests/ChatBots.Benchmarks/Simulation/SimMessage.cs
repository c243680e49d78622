namespace ChatBots.Benchmarks.Simulation;

/// <summary>A prompt message as the billing meter sees it: role, optional author name, text.</summary>
public readonly record struct SimMessage(string Role, string? Name, string Text);
