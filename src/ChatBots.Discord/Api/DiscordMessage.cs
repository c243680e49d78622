namespace ChatBots.Discord.Api;

/// <summary>The fields of a MESSAGE_CREATE (and of REST message objects) the adapter uses.</summary>
internal sealed record DiscordMessage
{
    public string Id { get; init; } = "";

    public string ChannelId { get; init; } = "";

    /// <summary>Absent in DMs.</summary>
    public string? GuildId { get; init; }

    public DiscordUser? Author { get; init; }

    public string? Content { get; init; }

    public int Type { get; init; }

    public long? Flags { get; init; }

    public IReadOnlyList<DiscordUser>? Mentions { get; init; }

    public IReadOnlyList<DiscordAttachment>? Attachments { get; init; }

    public MessageReference? MessageReference { get; init; }

    public DiscordMessage? ReferencedMessage { get; init; }

    /// <summary>Present when a webhook, not a user, posted the message.</summary>
    public string? WebhookId { get; init; }
}
