using System.Text.Json.Nodes;
using ChatBots.Engine.Costs;
using ChatBots.Host;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Fixtures;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Host.Tests;

/// <summary>
/// Voice through the whole stack in one process: the real host composition, the real Telegram.Bot client, our Discord
/// client and the real OpenAI SDK against the loopback fakes; SQLite in a temporary directory.
/// </summary>
public sealed class VoiceIntegrationTests : IAsyncLifetime
{
    private const long TelegramUser = 4242;
    private const string DiscordDm = "700000000000000077";
    private readonly TempDirectory _data = new();
    private FakeOpenAIServer _openai = null!;
    private FakeTelegramBotApi _telegram = null!;
    private FakeDiscordServer _discord = null!;
    private IHost? _host;

    private const string TranscriptionModel = "gpt-4o-mini-transcribe";

    public async Task InitializeAsync()
    {
        _openai = await FakeOpenAIServer.StartAsync();
        _openai.DefaultAudioResponder = r => FakeAudioReply.WithText($"spoken words from {r.FileName}");
        _openai.DefaultChatResponder = r => FakeChatReply.WithText($"answer to: {r.LastUserText}", 200, 20);
        _telegram = await FakeTelegramBotApi.StartAsync();
        _discord = await FakeDiscordServer.StartAsync();
    }

    /// <summary>Starts the host against the fakes; <paramref name="settings"/> are extra command-line settings.</summary>
    private async Task StartHostAsync(params string[] settings)
    {
        string[] args =
        [
            $"--Storage:DataDirectory={_data.Path}",
            $"--OpenAI:BaseUrl={_openai.BaseUrl}",
            "--OpenAI:ApiKey=sk-test",
            $"--OpenAI:TranscriptionModel={TranscriptionModel}",
            $"--Telegram:BotToken={_telegram.Token}",
            $"--Telegram:ApiBaseUrl={_telegram.BaseUrl}",
            "--Telegram:PollTimeout=00:00:01",
            $"--Discord:BotToken={FakeDiscordServer.BotToken}",
            $"--Discord:ApiBaseUrl={_discord.ApiBaseUrl}",
            .. settings,
        ];
        _host = HostFactory.CreateBuilder(args, HostMode.Run).Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        await _discord.DisposeAsync();
        await _telegram.DisposeAsync();
        await _openai.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task TelegramVoiceNote_TranscriptThenAnswer_BilledByDuration()
    {
        await StartHostAsync();
        byte[] ogg = VoiceFixtures.Read("hello-en.ogg");
        _telegram.AddFile("voice-file-1", ogg);

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "voice-file-1", "voice-unique-1", durationSeconds: 6, fileSize: ogg.Length));
        TelegramSentMessage transcript = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        TelegramSentMessage answer = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("Transcript: spoken words from voice.ogg", transcript.Text, StringComparison.Ordinal);
        Assert.Contains("answer to: spoken words from voice.ogg", answer.Text, StringComparison.Ordinal);
        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal(TranscriptionModel, upload.Model);
        Assert.Equal("voice.ogg", upload.FileName);
        Assert.Equal(ogg.Length, upload.Length);

        ILedgerStore ledger = Services.GetRequiredService<ILedgerStore>();
        UsageRow row = Assert.Single(await ledger.GroupAsync(UsageGrouping.Model, new LedgerFilter(), CancellationToken.None), r => r.Group == "gpt-4o-mini-transcribe");
        // Telegram declares whole seconds (6); the file says 6.118 s and the longer one is billed: 6.118 / 60 × $0.003.
        Assert.InRange(row.Totals.AudioSeconds, 6.10m, 6.14m);
        Assert.Equal((long)decimal.Ceiling(row.Totals.AudioSeconds * 50m), row.Totals.Cost.Value);
    }

    [Fact]
    public async Task TelegramSameVoiceNoteTwice_TranscribedOnce()
    {
        await StartHostAsync();
        byte[] ogg = VoiceFixtures.Read("tone-1s.ogg");
        _telegram.AddFile("tone-a", ogg);
        _telegram.AddFile("tone-b", ogg);

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "tone-a", "same-unique", 1, ogg.Length));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "tone-b", "same-unique", 1, ogg.Length));
        TelegramSentMessage again = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("Transcript:", again.Text, StringComparison.Ordinal);
        Assert.Equal(TranscriptionModel, Assert.Single(_openai.AudioRequests).Model);
    }

    [Theory]
    [InlineData("hello-en.mp3", "audio/mpeg", "memo.mp3")]
    [InlineData("hello-en.m4a", "audio/mp4", "memo.m4a")]
    public async Task TelegramAudioFile_UploadedWithItsFormatsExtension(string fixture, string mime, string fileName)
    {
        await StartHostAsync();
        byte[] bytes = VoiceFixtures.Read(fixture);
        _telegram.AddFile("audio-" + fileName, bytes, Path.GetExtension(fileName).TrimStart('.'));
        JsonObject message = TelegramUpdates.Message(
            new JsonObject { ["id"] = TelegramUser, ["type"] = "private", ["first_name"] = "Alice" },
            TelegramUpdates.User(TelegramUser, "Alice"),
            text: null);
        message["audio"] = new JsonObject
        {
            ["file_id"] = "audio-" + fileName,
            ["file_unique_id"] = "unique-" + fileName,
            ["duration"] = 6,
            ["mime_type"] = mime,
            ["file_name"] = fileName,
            ["file_size"] = bytes.Length,
        };

        _telegram.EnqueueMessage(message);
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal(fileName, upload.FileName);
        Assert.Equal(TranscriptionModel, upload.Model);
        Assert.Equal(bytes, upload.Bytes);
    }

    [Fact]
    public async Task TelegramVoiceOverTwentyMegabytes_RefusedBeforeAnyDownload()
    {
        await StartHostAsync();
        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "huge", "huge-unique", 60, 30L * 1024 * 1024));

        TelegramSentMessage reply = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("20 MB", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_telegram.Requests, r => r.Method.Equals("getFile", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(_openai.AudioRequests);
    }

    [Fact]
    public async Task DiscordVoiceMessage_TranscriptThenAnswer()
    {
        await StartHostAsync();
        byte[] ogg = VoiceFixtures.Read("nihao-zh.ogg");
        string url = _discord.AddCdnFile("attachments/1/9/voice-message.ogg", ogg);
        await _discord.WaitForConnectionAsync(0, TimeSpan.FromSeconds(60));
        await WaitForDiscordReadyAsync();

        await _discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.VoiceMessage(DiscordDm, url, ogg.Length, 9.872));
        IReadOnlyList<RecordedRequest> posts = await WaitForDiscordPostsAsync(DiscordDm, 2);

        Assert.Contains("Transcript: spoken words from voice-message.ogg", posts[0].Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("answer to: spoken words", posts[1].Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(posts, p => Assert.Empty(p.Json!["allowed_mentions"]!["parse"]!.AsArray()));
        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal("voice-message.ogg", upload.FileName);
        Assert.Equal(TranscriptionModel, upload.Model);
        ILedgerStore ledger = Services.GetRequiredService<ILedgerStore>();
        UsageTotals audio = await ledger.SumAsync(new LedgerFilter(Conversation: new Engine.Conversations.ConversationKey(Engine.Conversations.Platform.Discord, DiscordDm)), CancellationToken.None);
        Assert.Equal(9.872m, audio.AudioSeconds);
    }

    [Fact]
    public async Task TelegramAudioDocumentWithWrongExtension_UploadNamedBySniffedFormatAndBilledByMeasuredDuration()
    {
        await StartHostAsync();
        byte[] m4a = VoiceFixtures.Read("hello-en.m4a");
        _telegram.AddFile("doc-bin", m4a, "bin");
        _telegram.EnqueueMessage(AudioDocument("doc-bin", "doc-bin-unique", "audio.bin", "audio/mp4", m4a.Length));

        TelegramSentMessage transcript = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("Transcript: spoken words from audio.m4a", transcript.Text, StringComparison.Ordinal);
        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal("audio.m4a", upload.FileName);
        Assert.Equal(TranscriptionModel, upload.Model);
        Assert.Equal(m4a, upload.Bytes);
        // A document declares no duration: the MP4 header says 6.118 s (a size estimate said 3.4 s before).
        UsageTotals audio = await TranscriptionTotalsAsync();
        Assert.InRange(audio.AudioSeconds, 6.07m, 6.17m);
        Assert.Equal(0, audio.EstimatedCalls);
    }

    [Fact]
    public async Task TelegramVoice_ServerCannotReadTheFormat_ClearReplyAndTheConversationGoesOn()
    {
        await StartHostAsync();
        byte[] ogg = VoiceFixtures.Read("tone-1s.ogg");
        _telegram.AddFile("rejected", ogg);
        _openai.EnqueueAudioReplies(FakeAudioReply.UnsupportedFormat());

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "rejected", "rejected-unique", 1, ogg.Length));
        TelegramSentMessage refusal = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        _telegram.EnqueueMessage(TelegramUpdates.PrivateText(TelegramUser, "are you still there?"));
        TelegramSentMessage answer = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("could not read that audio format", refusal.Text, StringComparison.Ordinal);
        Assert.Equal("answer to: are you still there?", answer.Text);
        Assert.Equal(TranscriptionModel, Assert.Single(_openai.AudioRequests).Model);
        UsageTotals audio = await TranscriptionTotalsAsync();
        Assert.Equal(0, audio.Calls);
    }

    [Fact]
    public async Task TelegramVoice_ServerSaysTooLong_ItsOwnReply()
    {
        await StartHostAsync();
        byte[] ogg = VoiceFixtures.Read("tone-1s.ogg");
        _telegram.AddFile("too-long", ogg);
        _openai.EnqueueAudioReplies(FakeAudioReply.TooLong());

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "too-long", "too-long-unique", 1, ogg.Length));
        TelegramSentMessage refusal = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("too long for it", refusal.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("format", refusal.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TelegramVoice_LanguageHintConfigured_SentToTheServer()
    {
        await StartHostAsync("--Voice:Language=zh");
        byte[] ogg = VoiceFixtures.Read("nihao-zh.ogg");
        _telegram.AddFile("zh-note", ogg);

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "zh-note", "zh-note-unique", 10, ogg.Length));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal("zh", upload.Language);
        Assert.Equal("transcriptions", upload.Endpoint);
        Assert.Equal(TranscriptionModel, upload.Model);
    }

    [Fact]
    public async Task DiscordAttachmentOverDiscordsDownloadLimit_SizeRefusalNotDownloadFailure()
    {
        // The pipeline allows 30 MB here, so the Discord client's own 25 MB guard is the one that refuses.
        await StartHostAsync("--Voice:MaxFileBytes=31457280");
        string url = _discord.AddCdnFile("attachments/1/9/big.ogg", VoiceFixtures.Read("tone-1s.ogg"));
        await _discord.WaitForConnectionAsync(0, TimeSpan.FromSeconds(60));
        await WaitForDiscordReadyAsync();

        await _discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.VoiceMessage(DiscordDm, url, 26L * 1024 * 1024, 60));
        IReadOnlyList<RecordedRequest> posts = await WaitForDiscordPostsAsync(DiscordDm, 1);

        Assert.Equal("That audio file is larger than the 25 MB I can take.", posts[0].Json!["content"]!.GetValue<string>());
        Assert.Empty(_openai.AudioRequests);
    }

    /// <summary>The ledger's totals for the transcription model (no chat model shares its id).</summary>
    private async Task<UsageTotals> TranscriptionTotalsAsync()
    {
        IReadOnlyList<UsageRow> rows = await Services.GetRequiredService<ILedgerStore>().GroupAsync(UsageGrouping.Model, new LedgerFilter(), CancellationToken.None);
        return rows.SingleOrDefault(r => r.Group == TranscriptionModel)?.Totals ?? UsageTotals.None;
    }

    private IServiceProvider Services => (_host ?? throw new InvalidOperationException("The host is not started.")).Services;

    private static JsonObject AudioDocument(string fileId, string uniqueId, string fileName, string mime, long size)
    {
        JsonObject message = TelegramUpdates.Message(
            new JsonObject { ["id"] = TelegramUser, ["type"] = "private", ["first_name"] = "Alice" },
            TelegramUpdates.User(TelegramUser, "Alice"),
            text: null);
        message["document"] = new JsonObject
        {
            ["file_id"] = fileId,
            ["file_unique_id"] = uniqueId,
            ["file_name"] = fileName,
            ["mime_type"] = mime,
            ["file_size"] = size,
        };
        return message;
    }

    private async Task WaitForDiscordReadyAsync()
    {
        var status = Services.GetRequiredService<ChatBots.Discord.DiscordStatus>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!status.IsConnected)
        {
            await Task.Delay(50, cts.Token);
        }
    }

    private async Task<IReadOnlyList<RecordedRequest>> WaitForDiscordPostsAsync(string channel, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            IReadOnlyList<RecordedRequest> posts = [.. _discord.Requests.Where(r => r.Method == "POST" && r.Path == $"channels/{channel}/messages")];
            if (posts.Count >= count)
            {
                return posts;
            }

            await Task.Delay(50, cts.Token);
        }
    }
}
