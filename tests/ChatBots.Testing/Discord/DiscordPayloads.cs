using System.Text.Json.Nodes;

namespace ChatBots.Testing.Discord;

/// <summary>Builders for the dispatch payloads (<c>d</c>) tests send: MESSAGE_CREATE variants and interactions.</summary>
public static class DiscordPayloads
{
    public const string GuildId = "700000000000000001";
    public const string UserId = "800000000000000001";
    public const string UserName = "alice";

    public static JsonObject User(string id = UserId, string username = UserName, string? globalName = "Alice", bool bot = false)
    {
        var user = new JsonObject { ["id"] = id, ["username"] = username, ["global_name"] = globalName };
        if (bot)
        {
            user["bot"] = true;
        }

        return user;
    }

    /// <summary>A guild text message; <paramref name="mentionBot"/> adds the bot to <c>mentions</c> and prefixes <c>&lt;@id&gt;</c>.</summary>
    public static JsonObject GuildMessage(string channelId, string content, bool mentionBot = false, JsonObject? author = null, string? id = null)
    {
        JsonObject message = Message(channelId, mentionBot ? $"<@{FakeDiscordServer.BotUserId}> {content}" : content, author, id);
        message["guild_id"] = GuildId;
        if (mentionBot)
        {
            message["mentions"] = new JsonArray(User(FakeDiscordServer.BotUserId, "chatbots", null, bot: true));
        }

        return message;
    }

    /// <summary>A DM: no <c>guild_id</c>.</summary>
    public static JsonObject DirectMessage(string channelId, string content, JsonObject? author = null, string? id = null) =>
        Message(channelId, content, author, id);

    /// <summary>A type 19 reply to a message the bot sent.</summary>
    public static JsonObject ReplyToBot(string channelId, string content, string botMessageId)
    {
        JsonObject message = GuildMessage(channelId, content);
        message["type"] = 19;
        message["message_reference"] = new JsonObject { ["type"] = 0, ["message_id"] = botMessageId, ["channel_id"] = channelId, ["guild_id"] = GuildId };
        message["referenced_message"] = new JsonObject
        {
            ["id"] = botMessageId,
            ["channel_id"] = channelId,
            ["type"] = 0,
            ["content"] = "earlier answer",
            ["author"] = User(FakeDiscordServer.BotUserId, "chatbots", null, bot: true),
        };
        return message;
    }

    /// <summary>A voice message (flags 8192) with one OGG attachment.</summary>
    public static JsonObject VoiceMessage(string channelId, string attachmentUrl, long size, double durationSeconds, bool inGuild = false)
    {
        JsonObject message = inGuild ? GuildMessage(channelId, "") : DirectMessage(channelId, "");
        message["flags"] = 8192;
        message["attachments"] = new JsonArray(new JsonObject
        {
            ["id"] = FakeDiscordServer.NewId(),
            ["filename"] = "voice-message.ogg",
            ["content_type"] = "audio/ogg",
            ["size"] = size,
            ["url"] = attachmentUrl,
            ["proxy_url"] = attachmentUrl,
            ["duration_secs"] = durationSeconds,
            ["waveform"] = "AAAA",
        });
        return message;
    }

    /// <summary>An APPLICATION_COMMAND interaction (type 2) for a slash command.</summary>
    public static JsonObject SlashCommand(string name, string channelId, bool inGuild = true, string? token = null) => new()
    {
        ["id"] = FakeDiscordServer.NewId(),
        ["application_id"] = FakeDiscordServer.ApplicationId,
        ["type"] = 2,
        ["token"] = token ?? "interaction-token-" + FakeDiscordServer.NewId(),
        ["version"] = 1,
        ["channel_id"] = channelId,
        ["guild_id"] = inGuild ? GuildId : null,
        ["member"] = inGuild ? new JsonObject { ["user"] = User() } : null,
        ["user"] = inGuild ? null : User(),
        ["data"] = new JsonObject { ["id"] = FakeDiscordServer.NewId(), ["name"] = name, ["type"] = 1 },
    };

    private static JsonObject Message(string channelId, string content, JsonObject? author, string? id) => new()
    {
        ["id"] = id ?? FakeDiscordServer.NewId(),
        ["channel_id"] = channelId,
        ["type"] = 0,
        ["content"] = content,
        ["author"] = author ?? User(),
        ["mentions"] = new JsonArray(),
        ["attachments"] = new JsonArray(),
        ["timestamp"] = "2026-11-28T04:00:00.000000+00:00",
    };
}
