using Telegram.Bot.Types.Enums;

namespace ChatBots.Telegram;

/// <summary>One message of a reply: its text and parse mode, and the plain text to send when Telegram rejects the markup.</summary>
internal readonly record struct Part(string Text, ParseMode ParseMode, string? PlainFallback);
