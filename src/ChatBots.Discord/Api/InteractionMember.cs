namespace ChatBots.Discord.Api;

internal sealed record InteractionMember
{
    public DiscordUser? User { get; init; }
}
