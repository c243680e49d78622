using System.Text.RegularExpressions;
using ChatBots.Discord.Api;
using ChatBots.Engine.Conversations;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// Decides whether a MESSAGE_CREATE is addressed to the bot and maps it to <see cref="IncomingMessage"/>. Pure, so the
/// addressing rules are tested without a socket.
/// </summary>
internal static partial class DiscordMessageMapper
{
    internal const long VoiceMessageFlag = 1 << 13;

    /// <summary>Why a message was or was not taken.</summary>
    internal enum Addressing
    {
        Ignored,
        DirectMessage,
        Mention,
        ReplyToBot,
        AnswerAllChannel,
        BotThread,
    }

    /// <summary>How the bot is addressed, or <see cref="Addressing.Ignored"/>.</summary>
    /// <param name="message">The MESSAGE_CREATE.</param>
    /// <param name="selfId">The bot's own user id (from READY).</param>
    /// <param name="answerAllChannels">Channels where every message is answered.</param>
    /// <param name="isBotThread">Whether a channel is a thread the bot opened.</param>
    /// <param name="isBotMessage">Whether a message id is one the bot posted: the reply check when Discord omits <c>referenced_message</c>.</param>
    public static Addressing Classify(
        DiscordMessage message,
        string selfId,
        ICollection<string> answerAllChannels,
        Func<string, bool> isBotThread,
        Func<string, bool> isBotMessage)
    {
        DiscordUser? author = message.Author;
        if (author is null || author.Id == selfId || author.Bot == true || author.System == true || message.WebhookId is not null)
        {
            return Addressing.Ignored;
        }

        // Only DEFAULT and REPLY are chat; pins, joins, thread starters and command echoes are not.
        if (message.Type is not (0 or 19))
        {
            return Addressing.Ignored;
        }

        if (message.GuildId is null)
        {
            return Addressing.DirectMessage;
        }

        if (IsMentioned(message, selfId))
        {
            return Addressing.Mention;
        }

        if (IsReplyToBot(message, selfId, isBotMessage))
        {
            return Addressing.ReplyToBot;
        }

        if (answerAllChannels.Contains(message.ChannelId))
        {
            return Addressing.AnswerAllChannel;
        }

        return isBotThread(message.ChannelId) ? Addressing.BotThread : Addressing.Ignored;
    }

    /// <summary>
    /// A type 19 reply whose <c>referenced_message</c> the bot wrote; Discord may leave <c>referenced_message</c> out (not
    /// loaded) or null (deleted), and then the referenced id is checked against the messages the bot posted.
    /// </summary>
    public static bool IsReplyToBot(DiscordMessage message, string selfId, Func<string, bool> isBotMessage)
    {
        if (message.Type != 19)
        {
            return false;
        }

        if (message.ReferencedMessage?.Author is { } author)
        {
            return author.Id == selfId;
        }

        string? id = message.MessageReference?.MessageId ?? message.ReferencedMessage?.Id;
        return !string.IsNullOrEmpty(id) && isBotMessage(id);
    }

    public static bool IsMentioned(DiscordMessage message, string selfId) =>
        message.Mentions?.Any(u => u.Id == selfId) == true
        || (message.Content is { } content && (content.Contains($"<@{selfId}>", StringComparison.Ordinal) || content.Contains($"<@!{selfId}>", StringComparison.Ordinal)));

    /// <summary>The text without the bot's own mention tokens (<c>&lt;@id&gt;</c>, <c>&lt;@!id&gt;</c>).</summary>
    public static string StripMention(string? content, string selfId)
    {
        if (string.IsNullOrEmpty(content))
        {
            return "";
        }

        string stripped = content.Replace($"<@!{selfId}>", "", StringComparison.Ordinal).Replace($"<@{selfId}>", "", StringComparison.Ordinal);
        return MultipleSpaces().Replace(stripped, " ").Trim();
    }

    /// <summary>The voice message or audio attachment of a message, if any.</summary>
    public static DiscordAttachment? FindAudio(DiscordMessage message)
    {
        if (message.Attachments is not { Count: > 0 } attachments)
        {
            return null;
        }

        DiscordAttachment? audio = attachments.FirstOrDefault(a => a.ContentType?.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) == true);
        return audio ?? (((message.Flags ?? 0) & VoiceMessageFlag) != 0 ? attachments[0] : null);
    }

    /// <summary>Maps an addressed message; <paramref name="conversationChannelId"/> differs from the message's channel when a thread was opened for it.</summary>
    public static IncomingMessage Map(
        DiscordMessage message,
        string selfId,
        string conversationChannelId,
        Func<DiscordAttachment, Func<CancellationToken, Task<Stream>>> openAudio)
    {
        DiscordUser author = message.Author!;
        DiscordAttachment? audio = FindAudio(message);
        bool sameChannel = conversationChannelId == message.ChannelId;
        return new IncomingMessage(
            new ConversationKey(Platform.Discord, conversationChannelId),
            author.Id,
            author.GlobalName ?? author.Username ?? author.Id,
            StripMention(message.Content, selfId))
        {
            MessageId = message.Id,

            // In a thread opened from the message, the starter message is shown above: no reply reference needed.
            ReplyToMessageId = sameChannel ? message.Id : null,
            IsGroup = message.GuildId is not null,
            Audio = audio is null
                ? null
                : new AudioAttachment(
                    audio.Id,
                    string.IsNullOrEmpty(audio.Filename) ? "voice-message.ogg" : audio.Filename,
                    audio.ContentType,
                    audio.Size,
                    audio.DurationSecs is double seconds ? TimeSpan.FromSeconds(seconds) : null,
                    openAudio(audio)),
        };
    }

    /// <summary>A thread name from the message: its first words, 1-100 characters.</summary>
    public static string ThreadName(string text, string authorName)
    {
        string firstLine = text.Split('\n', 2)[0].Trim();
        string name = firstLine.Length == 0 ? $"Chat with {authorName}" : firstLine;
        return name.Length <= 80 ? name : name[..80].TrimEnd() + "…";
    }

    [GeneratedRegex("[ \t]{2,}")]
    private static partial Regex MultipleSpaces();
}
