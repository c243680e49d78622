namespace ChatBots.Discord.Api;

internal sealed record DiscordChannel
{
    public string Id { get; init; } = "";

    public int Type { get; init; }

    public string? ParentId { get; init; }
}
