namespace ChatBots.Discord.Api;

internal sealed record ApplicationInfo
{
    public string Id { get; init; } = "";
}
