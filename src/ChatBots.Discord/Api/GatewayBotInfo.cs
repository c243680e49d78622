namespace ChatBots.Discord.Api;

/// <summary>The answer of <c>GET /gateway/bot</c>.</summary>
internal sealed record GatewayBotInfo
{
    public string Url { get; init; } = "";

    public int Shards { get; init; }

    public SessionStartLimit? SessionStartLimit { get; init; }
}
