namespace ChatBots.Discord.Api;

internal sealed record ReadyData
{
    public string SessionId { get; init; } = "";

    public string ResumeGatewayUrl { get; init; } = "";

    public DiscordUser? User { get; init; }

    public ApplicationInfo? Application { get; init; }
}
