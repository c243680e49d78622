using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace ChatBots.Telegram.Tests;

public sealed class TelegramUpdateMapperTests
{
    private const long BotId = FakeTelegramBotApi.DefaultBotId;
    private const string Bot = FakeTelegramBotApi.DefaultBotUsername;

    private static MappedMessage? Map(JsonObject message, TelegramOptions? options = null, string kind = "message")
    {
        var update = new JsonObject { ["update_id"] = 1, [kind] = message };
        Update parsed = JsonSerializer.Deserialize<Update>(update.ToJsonString(), JsonBotAPI.Options)!;
        var mapper = new TelegramUpdateMapper(new BotIdentity(BotId, Bot), options ?? new TelegramOptions(), new TelegramBotClient(FakeTelegramBotApi.DefaultToken));
        return mapper.Map(parsed);
    }

    [Fact]
    public void Map_TextMentionOfTheBot_AddressedAndStripped()
    {
        JsonObject message = TelegramUpdates.GroupText(-100, 7, "Helper explain this");
        var entity = TelegramUpdates.Entity("text_mention", 0, 6);
        entity["user"] = TelegramUpdates.User(BotId, "Helper", isBot: true);
        message["entities"] = new JsonArray(entity);

        Assert.Equal("explain this", Map(message)!.Message.Text);
    }

    [Fact]
    public void Map_AnonymousAdmin_AuthorIsTheSenderChat()
    {
        JsonObject message = TelegramUpdates.GroupMention(-100, 1087968824, Bot, "", " hi");
        message["from"] = TelegramUpdates.User(1087968824, "Group", "GroupAnonymousBot", isBot: true);
        message["sender_chat"] = TelegramUpdates.Group(-100);

        MappedMessage mapped = Map(message)!;
        Assert.Equal(("-100", "Test group"), (mapped.Message.AuthorId, mapped.Message.AuthorName));
    }

    [Fact]
    public void Map_AuthorName_FirstAndLastName()
    {
        JsonObject message = TelegramUpdates.PrivateText(5, "hi");
        message["from"] = TelegramUpdates.User(5, "Ada", "ada", lastName: "Lovelace");
        Assert.Equal("Ada Lovelace", Map(message)!.Message.AuthorName);
    }

    [Fact]
    public void Map_GroupVoice_OnlyWhenAddressed()
    {
        JsonObject voice = TelegramUpdates.PrivateVoice(5, "f1", "u1", 4, 1000);
        voice["chat"] = TelegramUpdates.Group(-100);
        Assert.Null(Map((JsonObject)voice.DeepClone()));

        voice["caption"] = "@" + Bot;
        voice["caption_entities"] = new JsonArray(TelegramUpdates.Entity("mention", 0, Bot.Length + 1));
        MappedMessage mapped = Map(voice)!;
        Assert.Equal("", mapped.Message.Text);
        Assert.Equal(("u1", "voice.ogg", TimeSpan.FromSeconds(4)), (mapped.Message.Audio!.UniqueId, mapped.Message.Audio.FileName, mapped.Message.Audio.Duration));
    }

    [Fact]
    public void Map_AudioDocument_IsAudioWithItsName()
    {
        JsonObject message = TelegramUpdates.PrivateText(5, "transcribe");
        message.Remove("text");
        message["caption"] = "transcribe";
        message["document"] = new JsonObject { ["file_id"] = "d1", ["file_unique_id"] = "du1", ["file_name"] = "meeting.m4a", ["mime_type"] = "audio/mp4", ["file_size"] = 5000 };

        MappedMessage mapped = Map(message)!;
        Assert.Equal(("meeting.m4a", "audio/mp4", 5000L), (mapped.Message.Audio!.FileName, mapped.Message.Audio.MimeType, mapped.Message.Audio.SizeBytes!.Value));
        Assert.Equal("transcribe", mapped.Message.Text);
    }

    [Fact]
    public void Map_AnswerAllInGroups_PlainChatterAddressed()
    {
        MappedMessage? mapped = Map(TelegramUpdates.GroupText(-100, 7, "anyone here?"), new TelegramOptions { AnswerAllInGroups = true });
        Assert.Equal("anyone here?", mapped!.Message.Text);
    }

    [Fact]
    public void Map_PrivateCommandWithBotName_Normalised()
    {
        JsonObject message = TelegramUpdates.PrivateText(5, $"/usage@{Bot} month");
        message["entities"] = new JsonArray(TelegramUpdates.Entity("bot_command", 0, Bot.Length + 7));
        Assert.Equal("/usage month", Map(message)!.Message.Text);
    }

    [Fact]
    public void Map_EditedMessage_Ignored()
    {
        Assert.Null(Map(TelegramUpdates.PrivateText(5, "edited"), kind: "edited_message"));
    }

    [Theory]
    [InlineData("talk.mp3", "audio/mpeg", "talk.mp3")]
    [InlineData(null, "audio/mpeg", "audio.mp3")]
    [InlineData(null, "audio/x-m4a", "audio.m4a")]
    [InlineData("recording", "audio/ogg", "recording.ogg")]
    [InlineData(null, "audio/x-wav", "audio.wav")]
    [InlineData(null, null, "audio.ogg")]
    public void FileName_KeepsOrDerivesTheRealExtension(string? name, string? mime, string expected)
    {
        Assert.Equal(expected, TelegramUpdateMapper.FileName(name, mime, "audio"));
    }

    [Fact]
    public void Validator_BadSettings_MessagesNameTheKeysButNotTheToken()
    {
        var options = new TelegramOptions
        {
            BotToken = "not a token secret-value",
            ApiBaseUrl = "ftp://x",
            Mode = TelegramMode.Webhook,
            Webhook = new TelegramWebhookOptions { PublicUrl = "http://insecure", Path = "hook", ListenUrl = "nope", SecretToken = "has spaces" },
        };

        ValidateOptionsResult result = new TelegramOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string[] keys = ["Telegram:BotToken", "Telegram:ApiBaseUrl", "Telegram:Webhook:PublicUrl", "Telegram:Webhook:Path", "Telegram:Webhook:ListenUrl", "Telegram:Webhook:SecretToken"];
        Assert.All(keys, k => Assert.Contains(k, result.FailureMessage, StringComparison.Ordinal));
        Assert.DoesNotContain("secret-value", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_DefaultsWithToken_Succeed()
    {
        Assert.True(new TelegramOptionsValidator().Validate(null, new TelegramOptions { BotToken = "123456:ABC-def_1" }).Succeeded);
    }
}
