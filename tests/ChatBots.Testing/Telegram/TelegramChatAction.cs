namespace ChatBots.Testing.Telegram;

/// <summary>A sendChatAction the fake received.</summary>
public sealed record TelegramChatAction(long ChatId, string Action, int? MessageThreadId, DateTimeOffset At);
