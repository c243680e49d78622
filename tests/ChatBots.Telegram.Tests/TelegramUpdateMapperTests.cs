using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace ChatBots.Telegram.Tests;

public sealed class TelegramUpdateMapperTests
{
    private const long BotId = FakeTelegramBotApi.DefaultBotId;
    private const string Bot = FakeTelegramBotApi.DefaultBotUsername;
    private static readonly string[] Commands = ["help", "reset", "usage", "summary"];

    private static Update Update(JsonObject message, string kind = "message") =>
        JsonSerializer.Deserialize<Update>(new JsonObject { ["update_id"] = 1, [kind] = message }.ToJsonString(), JsonBotAPI.Options)!;

    private static MappedMessage? Map(JsonObject message, TelegramOptions? options = null, string kind = "message")
    {
        Update parsed = Update(message, kind);
        var mapper = new TelegramUpdateMapper(new BotIdentity(BotId, Bot), options ?? new TelegramOptions(), new TelegramBotClient(FakeTelegramBotApi.DefaultToken), Commands, () => TelegramUpdateMapper.PublicApiMaxBytes);
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

    [Theory]
    [InlineData("reset", true)]
    [InlineData("USAGE", true)]
    [InlineData("start", false)]
    [InlineData("weather", false)]
    public void Map_BareCommandInGroup_AddressedOnlyWhenItIsAnEngineCommand(string command, bool addressed)
    {
        MappedMessage? mapped = Map(TelegramUpdates.GroupCommand(-100, 7, command, null));
        Assert.Equal(addressed, mapped is not null);
    }

    [Theory]
    [InlineData(Bot, "/start")]
    [InlineData("CHATBOTS_TEST_BOT", "/weather")]
    public void Map_CommandWithOurName_AlwaysAddressedAndNormalised(string botName, string expected)
    {
        string command = expected[1..];
        Assert.Equal(expected, Map(TelegramUpdates.GroupCommand(-100, 7, command, botName))!.Message.Text);
    }

    [Theory]
    [InlineData("reset")]
    [InlineData("help")]
    public void Map_CommandForAnotherBot_NeverAddressed_EvenOneOfOurNames(string command)
    {
        Assert.Null(Map(TelegramUpdates.GroupCommand(-100, 7, command, "other_bot")));
    }

    [Theory]
    [InlineData("hey ", ", what time is it?", "hey, what time is it?")]
    [InlineData("ask ", " now please", "ask now please")]
    [InlineData("what time is it ", "?", "what time is it?")]
    [InlineData("", ": summarise this", "summarise this")]
    [InlineData("look\n", "\nsecond line", "look\n\nsecond line")]
    [InlineData("code:\n    x  =  1 ", "", "code:\n    x  =  1")]
    public void Map_MentionRemoved_NoSpaceLeftBeforePunctuationNorDoubled(string before, string after, string expected)
    {
        JsonObject message = TelegramUpdates.GroupMention(-100, 7, Bot, before, after);
        Assert.Equal(expected, Map(message)!.Message.Text);
    }

    [Fact]
    public void Map_VideoNote_IsAnMp4AudioAttachment()
    {
        JsonObject message = TelegramUpdates.PrivateText(5, "x");
        message.Remove("text");
        message["video_note"] = new JsonObject { ["file_id"] = "vn1", ["file_unique_id"] = "vnu1", ["length"] = 240, ["duration"] = 7, ["file_size"] = 90_000 };

        AudioAttachment audio = Map(message)!.Message.Audio!;
        Assert.Equal(("vnu1", "video_note.mp4", "video/mp4", 90_000L, TimeSpan.FromSeconds(7)), (audio.UniqueId, audio.FileName, audio.MimeType, audio.SizeBytes!.Value, audio.Duration!.Value));
    }

    [Theory]
    [InlineData(10L * 1024 * 1024, 15L * 1024 * 1024)]
    [InlineData(50L * 1024 * 1024, 25L * 1024 * 1024)]
    public async Task Download_PublicApi_RefusedOverVoiceLimitCappedAtTwentyMegabytes_BeforeGetFile(long configured, long size)
    {
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync();
        api.AddFile("big", [1, 2, 3]);
        // The client reaches the fake, but the settings say the public API: its 20 MB cap applies.
        var mapper = new TelegramUpdateMapper(
            new BotIdentity(BotId, Bot), new TelegramOptions(), new TelegramBotClient(new TelegramBotClientOptions(api.Token, api.BaseUrl)), Commands, () => configured);

        AudioAttachment audio = mapper.Map(Update(TelegramUpdates.PrivateVoice(5, "big", "ubig", 60, size)))!.Message.Audio!;

        AudioTooLargeException ex = await Assert.ThrowsAsync<AudioTooLargeException>(() => audio.OpenAsync(CancellationToken.None));
        long limit = Math.Min(configured, TelegramUpdateMapper.PublicApiMaxBytes);
        Assert.Equal(limit, ex.LimitBytes);
        // The message states the limit that applied, not always Telegram's 20 MB.
        Assert.Contains(limit == TelegramUpdateMapper.PublicApiMaxBytes ? "20 MB" : $"{limit} bytes", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.Method == "getfile");
    }

    [Fact]
    public async Task Download_LocalBotApiServer_FileLargerThanDeclaredAndUnsized_ReadStopsAtTheLimit()
    {
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync();
        // The update says 100 bytes and getFile says nothing: only the download shows the file is larger.
        api.AddFile("big", new byte[500_000], reportSize: false);
        var mapper = new TelegramUpdateMapper(
            new BotIdentity(BotId, Bot), new TelegramOptions { ApiBaseUrl = api.BaseUrl }, new TelegramBotClient(new TelegramBotClientOptions(api.Token, api.BaseUrl)), Commands, () => 1000);

        AudioAttachment audio = mapper.Map(Update(TelegramUpdates.PrivateVoice(5, "big", "ubig", 60, 100)))!.Message.Audio!;

        AudioTooLargeException ex = await Assert.ThrowsAsync<AudioTooLargeException>(() => audio.OpenAsync(CancellationToken.None));
        Assert.Equal(1000, ex.LimitBytes);
        Assert.Contains("1000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, api.FileDownloads);
    }

    [Fact]
    public async Task Download_GetFileReportsMoreThanTheLimit_RefusedWithoutDownloading()
    {
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync();
        api.AddFile("big", new byte[5000]);
        var mapper = new TelegramUpdateMapper(
            new BotIdentity(BotId, Bot), new TelegramOptions { ApiBaseUrl = api.BaseUrl }, new TelegramBotClient(new TelegramBotClientOptions(api.Token, api.BaseUrl)), Commands, () => 1000);

        AudioAttachment audio = mapper.Map(Update(TelegramUpdates.PrivateVoice(5, "big", "ubig", 60, 100)))!.Message.Audio!;

        AudioTooLargeException ex = await Assert.ThrowsAsync<AudioTooLargeException>(() => audio.OpenAsync(CancellationToken.None));
        Assert.Equal(1000, ex.LimitBytes);
        Assert.Single(api.Requests, r => r.Method == "getfile");
        Assert.Equal(0, api.FileDownloads);
    }

    [Fact]
    public async Task Download_LocalBotApiServer_NoTwentyMegabyteCap()
    {
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync();
        api.AddFile("big", [1, 2, 3]);
        var mapper = new TelegramUpdateMapper(
            new BotIdentity(BotId, Bot), new TelegramOptions { ApiBaseUrl = api.BaseUrl }, new TelegramBotClient(new TelegramBotClientOptions(api.Token, api.BaseUrl)), Commands, () => 50L * 1024 * 1024);

        AudioAttachment audio = mapper.Map(Update(TelegramUpdates.PrivateVoice(5, "big", "ubig", 60, 25L * 1024 * 1024)))!.Message.Audio!;
        await using Stream stream = await audio.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal([1, 2, 3], copy.ToArray());
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
    public void Validator_RedeliveryOutOfRange_MessagesNameTheKeys()
    {
        var options = new TelegramOptions
        {
            BotToken = "123456:ABC-def_1",
            Redelivery = new TelegramRedeliveryOptions { FirstDelay = TimeSpan.FromMinutes(10), MaxDelay = TimeSpan.FromMinutes(1), GiveUpAfter = TimeSpan.FromSeconds(5) },
        };

        ValidateOptionsResult result = new TelegramOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Telegram:Redelivery:GiveUpAfter must be between", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Telegram:Redelivery:MaxDelay must not be shorter than Telegram:Redelivery:FirstDelay", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new TelegramOptionsValidator().Validate(null, new TelegramOptions { BotToken = "123456:ABC-def_1", Redelivery = new() { FirstDelay = TimeSpan.Zero } }).Failed);
    }

    [Fact]
    public void RedeliveryDelay_DoublesFromTheFirstDelayUpToTheMax()
    {
        var options = new TelegramRedeliveryOptions();

        Assert.Equal(
            [15, 30, 60, 120, 240, 300, 300],
            Enumerable.Range(1, 7).Select(failures => (int)options.DelayAfter(failures).TotalSeconds));
    }

    [Fact]
    public void Validator_DefaultsWithToken_Succeed()
    {
        Assert.True(new TelegramOptionsValidator().Validate(null, new TelegramOptions { BotToken = "123456:ABC-def_1" }).Succeeded);
    }
}
