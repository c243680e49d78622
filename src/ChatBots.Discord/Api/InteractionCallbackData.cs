namespace ChatBots.Discord.Api;

internal sealed record InteractionCallbackData(string? Content, AllowedMentions AllowedMentions, int? Flags = null);
