namespace ChatBots.Discord.Api;

internal sealed record CreateMessageRequest(string Content, AllowedMentions AllowedMentions, MessageReference? MessageReference);
