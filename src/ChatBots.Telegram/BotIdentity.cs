namespace ChatBots.Telegram;

/// <summary>Who the bot is, from getMe: needed to recognise mentions, replies and commands addressed to it.</summary>
internal sealed record BotIdentity(long Id, string Username);
