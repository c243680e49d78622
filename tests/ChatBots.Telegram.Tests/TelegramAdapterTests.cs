using System.Text;
using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Voice;
using ChatBots.Testing;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Telegram.Tests;

public sealed class TelegramAdapterTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PrivateChat_SeveralTurns_AnsweredInOrderAsRepliesWithHtml()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine { Responder = (m, _) => Task.FromResult($"**{m.Text}** & more") };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        var sentIds = new List<int>();
        var replies = new List<TelegramSentMessage>();
        foreach (string text in new[] { "one", "two", "three" })
        {
            // A conversation: each turn is sent once the previous answer arrived.
            var message = TelegramUpdates.PrivateText(42, text);
            sentIds.Add((int)message["message_id"]!);
            api.EnqueueMessage(message);
            replies.Add(await api.NextMessageAsync(42, Guard));
        }

        Assert.Equal(["<b>one</b> &amp; more", "<b>two</b> &amp; more", "<b>three</b> &amp; more"], replies.Select(r => r.Text));
        Assert.All(replies, r => Assert.Equal("HTML", r.ParseMode));
        Assert.Equal(sentIds, replies.Select(r => r.ReplyToMessageId!.Value));
        Assert.All(replies, r => Assert.True(r.AllowSendingWithoutReply));
        Assert.All(engine.Received, m => Assert.Equal(new ConversationKey(Platform.Telegram, "42"), m.Conversation));
        Assert.All(engine.Received, m => Assert.False(m.IsGroup));
        Assert.Equal(engine.Commands.Select(c => c.Name), api.Commands.Select(c => c.Command));
        Assert.True(host.Status.IsConnected);
        Assert.Equal(FakeTelegramBotApi.DefaultBotUsername, host.Status.BotUsername);
    }

    [Fact]
    public async Task Group_TriggersAndNonTriggers_OnlyAddressedMessagesReachTheEngine()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);
        const long group = -100123;
        string bot = api.BotUsername;

        api.EnqueueMessage(TelegramUpdates.GroupText(group, 7, "just chatting"));
        api.EnqueueMessage(TelegramUpdates.OtherBotMention(group, 999, bot, "bots talking"));
        api.EnqueueMessage(TelegramUpdates.GroupCommand(group, 7, "help", "other_bot"));
        // A bare command that is not one of ours is another bot's (several bots share groups).
        api.EnqueueMessage(TelegramUpdates.GroupCommand(group, 7, "start", null));
        api.EnqueueMessage(TelegramUpdates.GroupMention(group, 7, "someone_else", "hi ", " there"));
        api.EnqueueEditedMessage(TelegramUpdates.GroupMention(group, 7, bot, "edited ", " text"));
        api.EnqueueMessage(TelegramUpdates.PrivateSticker(42));
        api.EnqueueMessage(TelegramUpdates.GroupMention(group, 7, bot.ToUpperInvariant(), "👋🏽 hey ", ", what time is it?", firstName: "Bob"));
        api.EnqueueMessage(TelegramUpdates.GroupReplyToBot(group, 8, api.BotId, bot, "and tomorrow?", firstName: "Carol"));
        api.EnqueueMessage(TelegramUpdates.GroupCommand(group, 7, "usage", bot, "today"));
        api.EnqueueMessage(TelegramUpdates.GroupCommand(group, 7, "reset", null));

        for (int i = 0; i < 4; i++)
        {
            await api.NextMessageAsync(group, Guard);
        }

        await engine.WhenIdleAsync();
        Assert.Equal(["👋🏽 hey, what time is it?", "and tomorrow?", "/usage today", "/reset"], engine.Received.Select(m => m.Text));
        Assert.Equal(["Bob", "Carol", "Bob", "Bob"], engine.Received.Select(m => m.AuthorName));
        Assert.All(engine.Received, m => Assert.True(m.IsGroup));
        Assert.All(engine.Received, m => Assert.Equal(new ConversationKey(Platform.Telegram, "-100123"), m.Conversation));
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == 42);
    }

    [Fact]
    public async Task ForumTopics_SeparateConversations_RepliesStayInTheirTopic()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);
        const long forum = -100777;

        api.EnqueueMessage(TelegramUpdates.TopicMention(forum, 7, 1, api.BotUsername, "in seven"));
        api.EnqueueMessage(TelegramUpdates.TopicMention(forum, 9, 1, api.BotUsername, "in nine"));
        TelegramSentMessage first = await api.NextMessageAsync(forum, Guard);
        TelegramSentMessage second = await api.NextMessageAsync(forum, Guard);

        Assert.Equal(
            [new ConversationKey(Platform.Telegram, "-100777", "7"), new ConversationKey(Platform.Telegram, "-100777", "9")],
            engine.Received.Select(m => m.Conversation).OrderBy(k => k.ThreadId));
        Assert.Equal(7, first.Text.Contains("seven", StringComparison.Ordinal) ? first.MessageThreadId : second.MessageThreadId);
        Assert.Equal(9, first.Text.Contains("nine", StringComparison.Ordinal) ? first.MessageThreadId : second.MessageThreadId);
    }

    [Fact]
    public async Task Group_HistoryPerUser_KeyIncludesTheUser()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(
            api, engine, new InMemoryKeyValueStore(), clock.Time, new Dictionary<string, string?> { ["Telegram:HistoryPerUserInGroups"] = "true" });

        api.EnqueueMessage(TelegramUpdates.GroupMention(-100123, 7, api.BotUsername, "", " hello"));
        await api.NextMessageAsync(-100123, Guard);

        IncomingMessage received = Assert.Single(engine.Received);
        Assert.Equal(new ConversationKey(Platform.Telegram, "-100123", "-:u7"), received.Conversation);
        Assert.False(received.IsGroup);
        Assert.Equal("hello", received.Text);
    }

    [Fact]
    public async Task LongAnswer_TenThousandCharacters_ArrivesInOrderedPartsWithBalancedCode()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var answer = new StringBuilder("Here is the code:\n\n```csharp\n");
        int lines = 0;
        for (; answer.Length < 10_000; lines++)
        {
            answer.Append("var line").Append(lines.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)).Append(" = a < b && c > d;\n");
        }

        answer.Append("```\n\nDone.");
        var engine = new FakeConversationEngine { Responder = (_, _) => Task.FromResult(answer.ToString()) };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "write a lot"));
        var parts = new List<TelegramSentMessage>();
        do
        {
            parts.Add(await api.NextMessageAsync(42, Guard));
        }
        while (!parts[^1].Text.EndsWith("Done.", StringComparison.Ordinal));

        Assert.True(parts.Count >= 3);
        Assert.All(parts, p => Assert.InRange(FakeTelegramBotApi.HtmlPlainLength(p.Text), 1, 4096));
        Assert.All(parts.Where(p => p.Text.Contains("line", StringComparison.Ordinal)), p =>
        {
            Assert.Equal(CountOf(p.Text, "<pre>"), CountOf(p.Text, "</pre>"));
            Assert.Contains("<pre><code class=\"language-csharp\">", p.Text, StringComparison.Ordinal);
        });
        string all = string.Concat(parts.Select(p => p.Text));
        // Every generated line arrives exactly once, in order, escaped; nothing is lost at a split.
        int previous = -1;
        for (int i = 0; i < lines; i++)
        {
            string line = $"var line{i:D4} = a &lt; b &amp;&amp; c &gt; d;";
            int at = all.IndexOf(line, StringComparison.Ordinal);
            Assert.True(at > previous, $"line{i:D4} missing or out of order");
            Assert.Equal(at, all.LastIndexOf(line, StringComparison.Ordinal));
            previous = at;
        }

        Assert.EndsWith("Done.", parts[^1].Text, StringComparison.Ordinal);
        Assert.Single(parts, p => p.Text.Contains("Done.", StringComparison.Ordinal));
        Assert.StartsWith("Here is the code:", parts[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(" < b", all, StringComparison.Ordinal);
        Assert.Equal(parts.Count, api.SentMessages.Count(m => m.ChatId == 42));
    }

    [Fact]
    public async Task RejectedHtml_PartIsResentAsPlainText()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag", When: p => string.Equals(FakeTelegramBotApi.GetString(p, "parse_mode"), "HTML", StringComparison.OrdinalIgnoreCase)));
        var engine = new FakeConversationEngine { Responder = (_, _) => Task.FromResult("**bold** answer") };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "hi"));
        TelegramSentMessage sent = await api.NextMessageAsync(42, Guard);
        await engine.WhenIdleAsync();

        Assert.Equal("**bold** answer", sent.Text);
        Assert.Null(sent.ParseMode);
        Assert.Single(api.SentMessages);
        Assert.Single(api.Requests, r => r.Method == "sendmessage" && r.StatusCode == 400);
    }

    [Fact]
    public async Task RateLimited_RetryAfterIsWaited_AndMessageDeliveredOnce()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("sendMessage", 429, "Too Many Requests: retry after 2", RetryAfterSeconds: 2));
        var engine = new FakeConversationEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "hi"));
        TelegramSentMessage sent = await api.NextMessageAsync(42, Guard);
        await engine.WhenIdleAsync();

        TelegramRequest[] sends = [.. api.Requests.Where(r => r.Method == "sendmessage")];
        Assert.Equal([429, 200], sends.Select(r => r.StatusCode));
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromSeconds(2), $"resent after {sends[1].At - sends[0].At}");
        Assert.Equal("echo: hi", sent.Text);
        Assert.Single(api.SentMessages);
        // Retried in one layer: the outbox waited once (the client's own 429 retry is off), and nothing retried again.
        FakeLogRecord waited = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 3006);
        Assert.Contains("00:00:02", waited.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id is 3007 or 3009 or 3030);
    }

    [Fact]
    public async Task Webhook_CorrectSecretProcessed_WrongOrMissingSecretRejected()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine();
        var store = new InMemoryKeyValueStore();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, new Dictionary<string, string?>
        {
            ["Telegram:Mode"] = "Webhook",
            ["Telegram:Webhook:PublicUrl"] = "https://bot.example.test",
            ["Telegram:Webhook:ListenUrl"] = "http://127.0.0.1:0",
        });
        while (!host.Status.IsConnected)
        {
            await Task.Delay(20).WaitAsync(Guard);
        }

        Assert.Equal("https://bot.example.test/telegram/webhook", api.WebhookUrl);
        string secret = Assert.IsType<string>(api.WebhookSecret);
        Assert.True(secret.Length >= 32);
        Assert.Equal(secret, await store.GetAsync(UpdateJournal.WebhookSecretKey, CancellationToken.None));
        var endpoint = new Uri(new Uri(host.Status.WebhookAddress!), "/telegram/webhook");

        Assert.Equal(401, await api.PostWebhookAsync(endpoint, "wrong-secret", TelegramUpdates.PrivateText(42, "forged")));
        Assert.Equal(401, await api.PostWebhookAsync(endpoint, null, TelegramUpdates.PrivateText(42, "no secret")));
        string sameLength = secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a');
        Assert.Equal(401, await api.PostWebhookAsync(endpoint, sameLength, TelegramUpdates.PrivateText(42, "almost")));
        Assert.Equal(200, await api.PostWebhookAsync(endpoint, secret, TelegramUpdates.PrivateText(42, "genuine")));

        TelegramSentMessage reply = await api.NextMessageAsync(42, Guard);
        Assert.Equal("echo: genuine", reply.Text);
        Assert.Equal(["genuine"], engine.Received.Select(m => m.Text));
    }

    [Fact]
    public async Task SlowChat_DoesNotDelayAnotherChat()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = new FakeConversationEngine
        {
            Responder = (m, _) => m.Conversation.ChatId == "1" ? release.Task : Task.FromResult("fast"),
        };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateText(1, "slow question"));
        api.EnqueueMessage(TelegramUpdates.PrivateText(2, "quick question"));
        TelegramSentMessage fast = await api.NextMessageAsync(2, Guard);

        Assert.Equal("fast", fast.Text);
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == 1);
        release.SetResult("slow");
        Assert.Equal("slow", (await api.NextMessageAsync(1, Guard)).Text);
    }

    [Fact]
    public async Task Typing_RepeatsWhileTheModelWorks_InTheTopic()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new FakeConversationEngine();
        engine.Responder = async (_, ct) =>
        {
            while (api.ChatActions.Count < 3)
            {
                await Task.Delay(10, ct);
            }

            return "done";
        };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.TopicMention(-100777, 5, 1, api.BotUsername, "think hard"));
        await api.NextMessageAsync(-100777, Guard);

        TelegramChatAction[] actions = [.. api.ChatActions.Take(3)];
        Assert.All(actions, a => Assert.Equal(("typing", 5), (a.Action, a.MessageThreadId)));
        // The first action goes out at once, then one every 4 s: the third comes at least 8 s after the first.
        Assert.True(actions[2].At - actions[0].At >= TimeSpan.FromSeconds(8), $"{actions[2].At - actions[0].At}");
    }

    [Fact]
    public async Task VoiceNote_MappedToAudioAttachment_DownloadsTheFile()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        byte[] ogg = [0x4f, 0x67, 0x67, 0x53, 1, 2, 3];
        api.AddFile("voice-1", ogg);
        var engine = new FakeConversationEngine
        {
            Responder = async (m, ct) =>
            {
                await using Stream audio = await m.Audio!.OpenAsync(ct);
                using var copy = new MemoryStream();
                await audio.CopyToAsync(copy, ct);
                return $"{m.Audio.FileName} {m.Audio.MimeType} {m.Audio.Duration?.TotalSeconds}s {copy.Length} bytes";
            },
        };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateVoice(42, "voice-1", "uniq-1", 3, ogg.Length));
        TelegramSentMessage reply = await api.NextMessageAsync(42, Guard);

        Assert.Equal("voice.ogg audio/ogg 3s 7 bytes", reply.Text);
        Assert.Equal("uniq-1", Assert.Single(engine.Received).Audio!.UniqueId);
    }

    [Fact]
    public async Task Conflict409_BacksOffThenReceives()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("getUpdates", 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", Times: 3));
        var engine = new FakeConversationEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "still there?"));
        Assert.Equal("echo: still there?", (await api.NextMessageAsync(42, Guard)).Text);

        TelegramRequest[] conflicts = [.. api.Requests.Where(r => r.Method == "getupdates" && r.StatusCode == 409)];
        Assert.Equal(3, conflicts.Length);
        Assert.All(conflicts.Zip(conflicts.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(2.5)));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 3004 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task InvalidToken401_StopsOnlyTheTelegramAdapter()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("getMe", 401, "Unauthorized", Times: null));
        var other = new OtherAdapter();
        await using AdapterHost host = await AdapterHost.StartAsync(
            api, new FakeConversationEngine(), new InMemoryKeyValueStore(), clock.Time, services: s => s.AddHostedService(_ => other));

        while (!host.Status.IsFaulted)
        {
            await Task.Delay(20).WaitAsync(Guard);
        }

        Assert.Contains("Telegram:BotToken", host.Status.FaultReason, StringComparison.Ordinal);
        Assert.False(host.Status.IsConnected);
        var critical = Assert.Single(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical);
        Assert.Contains("Telegram:BotToken", critical.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Token, critical.Message, StringComparison.Ordinal);
        Assert.False(host.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.True(other.Running);
        Assert.DoesNotContain(api.Requests, r => r.Method == "getupdates");
    }

    [Fact]
    public async Task GetMe404_StopsOnlyTheTelegramAdapter_NamingTheApiBaseUrl()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("getMe", 404, "Not Found", Times: null));
        await using AdapterHost host = await AdapterHost.StartAsync(api, new FakeConversationEngine(), new InMemoryKeyValueStore(), clock.Time);

        await Waiting.UntilAsync(() => host.Status.IsFaulted, "the adapter to stop");

        Assert.Contains("Telegram:ApiBaseUrl", host.Status.FaultReason, StringComparison.Ordinal);
        FakeLogRecord critical = Assert.Single(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical);
        Assert.Equal(3029, critical.Id.Id);
        Assert.Contains("Telegram:ApiBaseUrl", critical.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Token, critical.Message, StringComparison.Ordinal);
        Assert.False(host.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.DoesNotContain(api.Requests, r => r.Method == "getupdates");
    }

    [Fact]
    public async Task VideoNote_TranscribedAsMp4AndAnswered()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        byte[] mp4 = ChatBots.Testing.Fixtures.VoiceFixtures.Read("hello-en.m4a");
        api.AddFile("note-1", mp4, "mp4");
        var engine = new RealEngine();
        engine.Transcriber.Responder = u => new Transcript("hello there", "gpt-4o-mini-transcribe", TimeSpan.FromSeconds(2));
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

        JsonObject message = TelegramUpdates.PrivateText(42, "x");
        message.Remove("text");
        message["video_note"] = new JsonObject { ["file_id"] = "note-1", ["file_unique_id"] = "note-u1", ["length"] = 240, ["duration"] = 2, ["file_size"] = mp4.Length };
        api.EnqueueMessage(message);

        Assert.Equal("🎙 Transcript: hello there", (await api.NextMessageAsync(42, Guard)).Text);
        Assert.Equal("reply to: hello there", (await api.NextMessageAsync(42, Guard)).Text);
        RecordedUpload upload = Assert.Single(engine.Transcriber.Uploads);
        Assert.Equal(("video_note.mp4", mp4.Length), (upload.FileName, upload.Bytes));
        Assert.Equal(1, api.FileDownloads);
    }

    [Fact]
    public async Task LocalBotApiServer_AbsoluteFilePath_ReadFromDisk()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        byte[] ogg = ChatBots.Testing.Fixtures.VoiceFixtures.Read("hello-en.ogg");
        string path = Path.Combine(Path.GetTempPath(), $"chatbots-local-{Guid.NewGuid():N}.oga");
        await File.WriteAllBytesAsync(path, ogg);
        try
        {
            // The test's ApiBaseUrl is not the public API, as with a local telegram-bot-api server.
            api.AddLocalFile("voice-local", path);
            var engine = new FakeConversationEngine
            {
                Responder = async (m, ct) =>
                {
                    await using Stream audio = await m.Audio!.OpenAsync(ct);
                    using var copy = new MemoryStream();
                    await audio.CopyToAsync(copy, ct);
                    return copy.ToArray().AsSpan().SequenceEqual(ogg) ? "same bytes" : $"{copy.Length} other bytes";
                },
            };
            await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time);

            api.EnqueueMessage(TelegramUpdates.PrivateVoice(42, "voice-local", "uniq-local", 2, ogg.Length));

            Assert.Equal("same bytes", (await api.NextMessageAsync(42, Guard)).Text);
            Assert.Single(api.Requests, r => r.Method == "getfile");
            Assert.Equal(0, api.FileDownloads);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task InvalidTokenFormat_FailsStartNamingTheSetting()
    {
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync();
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => AdapterHost.StartAsync(
            api, new FakeConversationEngine(), new InMemoryKeyValueStore(), TimeProvider.System, new Dictionary<string, string?> { ["Telegram:BotToken"] = "oops-secret" }));
        Assert.Contains("Telegram:BotToken", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("oops-secret", ex.Message, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Stands in for the Discord adapter: it must keep running when Telegram stops.</summary>
    private sealed class OtherAdapter : BackgroundService
    {
        public bool Running { get; private set; }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Running = true;
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                Running = false;
            }
        }
    }
}
