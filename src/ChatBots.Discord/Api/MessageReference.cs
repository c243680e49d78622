namespace ChatBots.Discord.Api;

internal sealed record MessageReference
{
    public string? MessageId { get; init; }

    public string? ChannelId { get; init; }

    public bool? FailIfNotExists { get; init; }
}
