namespace ChatBots.Testing.Telegram;

/// <summary>A sendMessage the fake accepted, as the client sent it.</summary>
public sealed record TelegramSentMessage(
    int MessageId,
    long ChatId,
    string Text,
    string? ParseMode,
    int? ReplyToMessageId,
    bool? AllowSendingWithoutReply,
    int? MessageThreadId,
    DateTimeOffset At);
