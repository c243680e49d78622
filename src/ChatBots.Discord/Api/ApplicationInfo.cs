namespace ChatBots.Discord.Api;

internal sealed record ApplicationInfo
{
    public string Id { get; init; } = "";

    /// <summary>Application flags; the GATEWAY_* bits say which privileged intents the Developer Portal allows.</summary>
    public long Flags { get; init; }
}
