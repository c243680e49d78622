using ChatBots.Engine.Conversations;

namespace ChatBots.Telegram;

/// <summary>An update addressed to the bot, mapped for the engine, with what the reply needs to find its way back.</summary>
internal sealed record MappedMessage(int UpdateId, IncomingMessage Message, long ChatId, int? TopicThreadId, int ReplyToMessageId);
