namespace ChatBots.Discord.Api;

internal sealed record EditMessageRequest(string Content, AllowedMentions AllowedMentions);
