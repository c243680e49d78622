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
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeOpenAIServer.StartAsync();
        _openai.DefaultAudioResponder = r => FakeAudioReply.WithText($"spoken words from {r.FileName}");
        _openai.DefaultChatResponder = r => FakeChatReply.WithText($"answer to: {r.LastUserText}", 200, 20);
        _telegram = await FakeTelegramBotApi.StartAsync();
        _discord = await FakeDiscordServer.StartAsync();
        string[] args =
        [
            $"--Storage:DataDirectory={_data.Path}",
            $"--OpenAI:BaseUrl={_openai.BaseUrl}",
            "--OpenAI:ApiKey=sk-test",
            $"--Telegram:BotToken={_telegram.Token}",
            $"--Telegram:ApiBaseUrl={_telegram.BaseUrl}",
            "--Telegram:PollTimeout=00:00:01",
            $"--Discord:BotToken={FakeDiscordServer.BotToken}",
            $"--Discord:ApiBaseUrl={_discord.ApiBaseUrl}",
        ];
        _host = HostFactory.CreateBuilder(args, HostMode.Run).Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _discord.DisposeAsync();
        await _telegram.DisposeAsync();
        await _openai.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task TelegramVoiceNote_TranscriptThenAnswer_BilledByDuration()
    {
        byte[] ogg = VoiceFixtures.Read("hello-en.ogg");
        _telegram.AddFile("voice-file-1", ogg);

        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "voice-file-1", "voice-unique-1", durationSeconds: 6, fileSize: ogg.Length));
        TelegramSentMessage transcript = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));
        TelegramSentMessage answer = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("Transcript: spoken words from voice.ogg", transcript.Text, StringComparison.Ordinal);
        Assert.Contains("answer to: spoken words from voice.ogg", answer.Text, StringComparison.Ordinal);
        RecordedAudioRequest upload = Assert.Single(_openai.AudioRequests);
        Assert.Equal("gpt-4o-mini-transcribe", upload.Model);
        Assert.Equal("voice.ogg", upload.FileName);
        Assert.Equal(ogg.Length, upload.Length);

        ILedgerStore ledger = _host.Services.GetRequiredService<ILedgerStore>();
        UsageRow row = Assert.Single(await ledger.GroupAsync(UsageGrouping.Model, new LedgerFilter(), CancellationToken.None), r => r.Group == "gpt-4o-mini-transcribe");
        // Telegram declared 6 s: 6 / 60 × $0.003 = 300 µUSD.
        Assert.Equal(6m, row.Totals.AudioSeconds);
        Assert.Equal(300, row.Totals.Cost.Value);
    }

    [Fact]
    public async Task TelegramSameVoiceNoteTwice_TranscribedOnce()
    {
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
        Assert.Single(_openai.AudioRequests);
    }

    [Theory]
    [InlineData("hello-en.mp3", "audio/mpeg", "memo.mp3")]
    [InlineData("hello-en.m4a", "audio/mp4", "memo.m4a")]
    public async Task TelegramAudioFile_UploadedWithItsFormatsExtension(string fixture, string mime, string fileName)
    {
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

        Assert.Equal(fileName, Assert.Single(_openai.AudioRequests).FileName);
    }

    [Fact]
    public async Task TelegramVoiceOverTwentyMegabytes_RefusedBeforeAnyDownload()
    {
        _telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(TelegramUser, "huge", "huge-unique", 60, 30L * 1024 * 1024));

        TelegramSentMessage reply = await _telegram.NextMessageAsync(TelegramUser, TimeSpan.FromSeconds(60));

        Assert.Contains("20 MB", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_telegram.Requests, r => r.Method.Equals("getFile", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(_openai.AudioRequests);
    }

    [Fact]
    public async Task DiscordVoiceMessage_TranscriptThenAnswer()
    {
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
        ILedgerStore ledger = _host.Services.GetRequiredService<ILedgerStore>();
        UsageTotals audio = await ledger.SumAsync(new LedgerFilter(Conversation: new Engine.Conversations.ConversationKey(Engine.Conversations.Platform.Discord, DiscordDm)), CancellationToken.None);
        Assert.Equal(9.872m, audio.AudioSeconds);
    }

    private async Task WaitForDiscordReadyAsync()
    {
        var status = _host.Services.GetRequiredService<ChatBots.Discord.DiscordStatus>();
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
