namespace ChatBots.Benchmarks.Simulation;

/// <summary>One exchange of a script: who wrote, what they wrote, and the answer the model returns.</summary>
public sealed record ScriptTurn(string Speaker, string User, string Answer);
