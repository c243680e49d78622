namespace ChatBots.Host.Health;

/// <summary>One configured adapter's state, as <c>/readyz</c> reports it.</summary>
internal sealed record AdapterReadiness(string Name, bool Enabled, bool Connected, string? Fault);
