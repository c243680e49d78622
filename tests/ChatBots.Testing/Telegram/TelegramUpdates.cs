using System.Text.Json.Nodes;

namespace ChatBots.Testing.Telegram;

/// <summary>
/// Builders of Bot API <c>Message</c> JSON for scripted updates (snake_case, as Telegram sends it). Pass the result to
/// <see cref="FakeTelegramBotApi.EnqueueMessage"/> (or <see cref="FakeTelegramBotApi.EnqueueEditedMessage"/>).
/// </summary>
public static class TelegramUpdates
{
    private static int _nextMessageId = 1000;

    public static JsonObject User(long id, string firstName, string? username = null, bool isBot = false, string? lastName = null)
    {
        var user = new JsonObject { ["id"] = id, ["is_bot"] = isBot, ["first_name"] = firstName };
        if (lastName is not null)
        {
            user["last_name"] = lastName;
        }

        if (username is not null)
        {
            user["username"] = username;
        }

        return user;
    }

    /// <summary>A text message in a private chat (the chat id is the user id).</summary>
    public static JsonObject PrivateText(long userId, string text, string firstName = "Alice") =>
        Message(new JsonObject { ["id"] = userId, ["type"] = "private", ["first_name"] = firstName }, User(userId, firstName), text);

    /// <summary>A plain text message in a supergroup.</summary>
    public static JsonObject GroupText(long chatId, long userId, string text, string firstName = "Bob", bool isForum = false) =>
        Message(Group(chatId, isForum), User(userId, firstName), text);

    /// <summary>A group message that mentions <paramref name="botUsername"/> after <paramref name="before"/> (which may hold emoji: offsets are UTF-16).</summary>
    public static JsonObject GroupMention(long chatId, long userId, string botUsername, string before, string after, string firstName = "Bob")
    {
        string mention = "@" + botUsername;
        JsonObject message = Message(Group(chatId), User(userId, firstName), before + mention + after);
        message["entities"] = new JsonArray(Entity("mention", before.Length, mention.Length));
        return message;
    }

    /// <summary>A command, optionally addressed as <c>/cmd@botname</c>, with arguments.</summary>
    public static JsonObject GroupCommand(long chatId, long userId, string command, string? botUsername, string args = "", string firstName = "Bob")
    {
        string cmd = "/" + command + (botUsername is null ? "" : "@" + botUsername);
        JsonObject message = Message(Group(chatId), User(userId, firstName), args.Length == 0 ? cmd : cmd + " " + args);
        message["entities"] = new JsonArray(Entity("bot_command", 0, cmd.Length));
        return message;
    }

    /// <summary>A group message replying to one of the bot's messages.</summary>
    public static JsonObject GroupReplyToBot(long chatId, long userId, long botId, string botUsername, string text, string firstName = "Bob")
    {
        JsonObject message = Message(Group(chatId), User(userId, firstName), text);
        message["reply_to_message"] = Message(Group(chatId), User(botId, "Bot", botUsername, isBot: true), "an earlier answer");
        return message;
    }

    /// <summary>A message in a forum topic, mentioning the bot.</summary>
    public static JsonObject TopicMention(long chatId, int topicId, long userId, string botUsername, string text, string firstName = "Bob")
    {
        string mention = "@" + botUsername + " ";
        JsonObject message = Message(Group(chatId, isForum: true), User(userId, firstName), mention + text);
        message["entities"] = new JsonArray(Entity("mention", 0, mention.Length - 1));
        message["message_thread_id"] = topicId;
        message["is_topic_message"] = true;
        return message;
    }

    /// <summary>A voice note (no text) in a private chat.</summary>
    public static JsonObject PrivateVoice(long userId, string fileId, string fileUniqueId, int durationSeconds, long fileSize, string mimeType = "audio/ogg")
    {
        JsonObject message = Message(new JsonObject { ["id"] = userId, ["type"] = "private", ["first_name"] = "Alice" }, User(userId, "Alice"), text: null);
        message["voice"] = new JsonObject
        {
            ["file_id"] = fileId,
            ["file_unique_id"] = fileUniqueId,
            ["duration"] = durationSeconds,
            ["mime_type"] = mimeType,
            ["file_size"] = fileSize,
        };
        return message;
    }

    /// <summary>A sticker: a message with neither text nor caption.</summary>
    public static JsonObject PrivateSticker(long userId)
    {
        JsonObject message = Message(new JsonObject { ["id"] = userId, ["type"] = "private", ["first_name"] = "Alice" }, User(userId, "Alice"), text: null);
        message["sticker"] = new JsonObject
        {
            ["file_id"] = "sticker-1",
            ["file_unique_id"] = "sticker-u1",
            ["type"] = "regular",
            ["width"] = 512,
            ["height"] = 512,
            ["is_animated"] = false,
            ["is_video"] = false,
        };
        return message;
    }

    /// <summary>A group message written by another bot (mentioning ours).</summary>
    public static JsonObject OtherBotMention(long chatId, long otherBotId, string botUsername, string text)
    {
        string mention = "@" + botUsername;
        JsonObject message = Message(Group(chatId), User(otherBotId, "Other", "other_bot", isBot: true), mention + " " + text);
        message["entities"] = new JsonArray(Entity("mention", 0, mention.Length));
        return message;
    }

    public static JsonObject Group(long chatId, bool isForum = false)
    {
        var chat = new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = "Test group" };
        if (isForum)
        {
            chat["is_forum"] = true;
        }

        return chat;
    }

    public static JsonObject Entity(string type, int offset, int length) =>
        new() { ["type"] = type, ["offset"] = offset, ["length"] = length };

    public static JsonObject Message(JsonObject chat, JsonObject from, string? text)
    {
        var message = new JsonObject
        {
            ["message_id"] = Interlocked.Increment(ref _nextMessageId),
            ["date"] = 1_900_000_000,
            ["chat"] = chat,
            ["from"] = from,
        };
        if (text is not null)
        {
            message["text"] = text;
        }

        return message;
    }
}
