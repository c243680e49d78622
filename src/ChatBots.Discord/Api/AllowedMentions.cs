namespace ChatBots.Discord.Api;

/// <summary>Sent on every create and edit so model output can never ping anyone.</summary>
internal sealed record AllowedMentions
{
    public static AllowedMentions None { get; } = new();

    public IReadOnlyList<string> Parse { get; init; } = [];
}
