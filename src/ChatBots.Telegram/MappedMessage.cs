using ChatBots.Engine.Conversations;

namespace ChatBots.Telegram;

/// <summary>
/// An update addressed to the bot, mapped for the engine, with what the reply needs to find its way back, and when the
/// user sent it (messages older than the adapter's start waited on Telegram's server: backlog).
/// </summary>
internal sealed record MappedMessage(int UpdateId, IncomingMessage Message, long ChatId, int? TopicThreadId, int ReplyToMessageId, DateTimeOffset SentAt);
