namespace ChatBots.Discord.Api;

/// <summary>The part of GUILD_CREATE the adapter keeps: the active threads, so a mention inside one is not turned into a new thread.</summary>
internal sealed record GuildCreateData
{
    public string Id { get; init; } = "";

    public IReadOnlyList<DiscordChannel>? Threads { get; init; }
}
