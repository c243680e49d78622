namespace ChatBots.Discord.Api;

internal sealed record HelloData
{
    /// <summary>Milliseconds between heartbeats.</summary>
    public double HeartbeatInterval { get; init; }
}
