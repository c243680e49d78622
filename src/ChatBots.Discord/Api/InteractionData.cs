namespace ChatBots.Discord.Api;

internal sealed record InteractionData
{
    public string? Id { get; init; }

    public string Name { get; init; } = "";
}
