namespace ChatBots.Discord.Api;

internal sealed record DiscordUser
{
    public string Id { get; init; } = "";

    public string? Username { get; init; }

    public string? GlobalName { get; init; }

    public bool? Bot { get; init; }

    public bool? System { get; init; }
}
