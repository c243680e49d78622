namespace ChatBots.Discord.Api;

/// <summary>The <c>resource</c> of an interaction callback response: the created message for type 4.</summary>
internal sealed record InteractionCallbackResource(int Type, DiscordMessage? Message);
