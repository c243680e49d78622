namespace ChatBots.Discord.Api;

internal sealed record DiscordAttachment
{
    public string Id { get; init; } = "";

    public string Filename { get; init; } = "";

    public string? ContentType { get; init; }

    public long Size { get; init; }

    public string Url { get; init; } = "";

    public double? DurationSecs { get; init; }
}
