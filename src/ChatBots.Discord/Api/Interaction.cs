namespace ChatBots.Discord.Api;

/// <summary>The fields of an INTERACTION_CREATE the adapter uses. Type 2 is APPLICATION_COMMAND.</summary>
internal sealed record Interaction
{
    public string Id { get; init; } = "";

    public string ApplicationId { get; init; } = "";

    public int Type { get; init; }

    public InteractionData? Data { get; init; }

    public string? GuildId { get; init; }

    public string? ChannelId { get; init; }

    /// <summary>Present in guilds.</summary>
    public InteractionMember? Member { get; init; }

    /// <summary>Present in DMs.</summary>
    public DiscordUser? User { get; init; }

    public string Token { get; init; } = "";
}
