using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Testing;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// Replies that did not fully reach the user: cut off by a shutdown, failing past the outbox's retries, or backlog the
/// engine had no room for. Each part must arrive exactly once, in order, and the model be asked once.
/// </summary>
public sealed class TelegramRedeliveryTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly TelegramRedeliveryOptions Defaults = new();
    private static readonly UsageDetails Usage = new() { InputTokenCount = 100, OutputTokenCount = 900, TotalTokenCount = 1000 };

    /// <summary>A real engine whose model answers "reply to: …" only once <paramref name="gate"/> completes.</summary>
    private static RealEngine EngineHeldUntil(Task gate)
    {
        var engine = new RealEngine();
        engine.Model.Responder = async (p, ct) =>
        {
            await gate.WaitAsync(ct);
            return new FakeReply($"reply to: {p.Messages[^1].Text}", Usage);
        };
        return engine;
    }

    private static string Paragraph(string label) => label + " " + string.Join(' ', Enumerable.Repeat("lorem", 500));

    private static int MessageId(JsonObject message) => (int)message["message_id"]!;

    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> PendingAsync(InMemoryKeyValueStore store) =>
        await store.ListAsync(UpdateJournal.PendingPrefix, CancellationToken.None);

    [Fact]
    public async Task ShutdownWhilePartTwoWaitsOnA429_AfterRestart_EachPartOnceInOrder_ModelAskedOnce()
    {
        // Telegram's ten-minute wait (capped at five) must not run out before the host stops.
        await using TestClock clock = TestClock.Start(maxDelay: TimeSpan.FromMinutes(1));
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        string[] parts = [Paragraph("Part 1"), Paragraph("Part 2"), Paragraph("Part 3")];
        var first = new RealEngine();
        first.Model.Responder = (_, _) => Task.FromResult(new FakeReply(string.Join("\n\n", parts), Usage));
        // Telegram asks for ten minutes on part 2; the host stops meanwhile.
        api.AddError(new TelegramScriptedError("sendMessage", 429, "Too Many Requests: retry after 600", RetryAfterSeconds: 600,
            When: p => FakeTelegramBotApi.GetString(p, "text")?.StartsWith("Part 2", StringComparison.Ordinal) == true));
        AdapterHost before = await AdapterHost.StartAsync(api, first, store, clock.Time);
        JsonObject question = TelegramUpdates.PrivateText(42, "tell me a long story");
        int updateId = api.EnqueueMessage(question);

        Assert.StartsWith("Part 1", (await api.NextMessageAsync(42, Guard)).Text, StringComparison.Ordinal);
        await Waiting.UntilAsync(() => api.Requests.Any(r => r.Method == "sendmessage" && r.StatusCode == 429), "the 429 on part 2");
        await before.StopAbruptlyAsync();
        await before.DisposeAsync();

        Assert.Single(await PendingAsync(store));
        Assert.Equal("Answer=1", await store.GetAsync(UpdateJournal.DeliveredPrefix + updateId, CancellationToken.None));

        var second = new RealEngine { Store = first.Store };
        await using AdapterHost after = await AdapterHost.StartAsync(api, second, store, clock.Time);
        Assert.StartsWith("Part 2", (await api.NextMessageAsync(42, Guard)).Text, StringComparison.Ordinal);
        Assert.StartsWith("Part 3", (await api.NextMessageAsync(42, Guard)).Text, StringComparison.Ordinal);
        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the update to be answered");

        Assert.Equal(parts, api.SentMessages.Select(m => m.Text));
        Assert.All(api.SentMessages, m => Assert.Equal(MessageId(question), m.ReplyToMessageId));
        Assert.Single(first.ChatCalls);
        Assert.Empty(second.ChatCalls);
        Assert.Single(first.Store.Ledger);
        Assert.Null(await store.GetAsync(UpdateJournal.DeliveredPrefix + updateId, CancellationToken.None));
        FakeLogRecord resumed = Assert.Single(after.Logs.GetSnapshot(), r => r.Id.Id == 3032);
        Assert.Contains("skipped 1", resumed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VoiceNote_TranscriptDeliveredThenShutdown_AfterRestart_OnlyTheAnswerIsSent()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        byte[] ogg = ChatBots.Testing.Fixtures.VoiceFixtures.Read("hello-en.ogg");
        api.AddFile("voice-1", ogg);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new RealEngine();
        first.Model.Responder = async (p, ct) =>
        {
            // The model is still thinking when the host stops: only the transcript has gone out.
            await gate.Task.WaitAsync(ct);
            return new FakeReply("never sent", Usage);
        };
        AdapterHost before = await AdapterHost.StartAsync(api, first, store, clock.Time);
        int updateId = api.EnqueueMessage(TelegramUpdates.PrivateVoice(42, "voice-1", "uniq-1", 2, ogg.Length));

        Assert.Equal("🎙 Transcript: transcript of voice.ogg", (await api.NextMessageAsync(42, Guard)).Text);
        await Waiting.UntilAsync(() => first.ChatCalls.Count == 1, "the model call");
        await before.StopAbruptlyAsync();
        await before.DisposeAsync();
        Assert.Equal("Transcript=1", await store.GetAsync(UpdateJournal.DeliveredPrefix + updateId, CancellationToken.None));

        var second = new RealEngine { Store = first.Store };
        await using AdapterHost after = await AdapterHost.StartAsync(api, second, store, clock.Time);
        TelegramSentMessage answer = await api.NextMessageAsync(42, Guard);
        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the update to be answered");

        Assert.Equal("reply to: transcript of voice.ogg", answer.Text);
        Assert.Equal(2, api.SentMessages.Count);
        // The transcript came from the cache: the audio was transcribed once.
        Assert.Single(first.Transcriber.Uploads);
        Assert.Empty(second.Transcriber.Uploads);
    }

    [Fact]
    public async Task ReplyDelivered_AdapterClosedBeforeTheEngineFinished_UpdateIsAnsweredNotReplayed()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        var engine = new ManualEngine();
        AdapterHost before = await AdapterHost.StartAsync(api, engine, store, clock.Time);
        int updateId = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "hi"));

        (_, IReplySink sink) = await engine.NextAsync(Guard);
        await sink.SendAsync(new OutgoingReply("hello", ReplyKind.Answer), CancellationToken.None);
        // The adapter closes (shutdown timeout ran out) after the answer went out, before the engine said it finished.
        await before.StopAbruptlyAsync();
        await sink.WorkFinishedAsync(CancellationToken.None);
        await before.DisposeAsync();

        Assert.Empty(await PendingAsync(store));
        Assert.NotNull(await store.GetAsync(UpdateJournal.AnsweredPrefix + updateId, CancellationToken.None));
        var next = new ManualEngine();
        int polls = api.Requests.Count(r => r.Method == "getupdates");
        await using AdapterHost after = await AdapterHost.StartAsync(api, next, store, clock.Time);
        // Pending updates are replayed before the first poll: once it polls, nothing was replayed.
        await Waiting.UntilAsync(() => api.Requests.Count(r => r.Method == "getupdates") > polls, "the restarted adapter to poll");
        Assert.Equal(0, next.Count);
        Assert.Equal(["hello"], api.SentMessages.Select(m => m.Text));
    }

    [Fact]
    public async Task DeliveryFailingPastTheOutboxRetries_IsRetriedWhileRunning_DeliveredOnce_ModelAskedOnce()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        // Six failures use up the outbox's attempts: the first delivery fails.
        api.AddError(new TelegramScriptedError("sendMessage", 500, "Internal Server Error: restart", Times: 6));
        var engine = new RealEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time);
        JsonObject question = TelegramUpdates.PrivateText(42, "are you there?");
        api.EnqueueMessage(question);

        TelegramSentMessage reply = await api.NextMessageAsync(42, Guard);
        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the update to be answered");

        Assert.Equal("reply to: are you there?", reply.Text);
        Assert.Equal(MessageId(question), reply.ReplyToMessageId);
        TelegramRequest[] sends = [.. api.Requests.Where(r => r.Method == "sendmessage")];
        Assert.Equal([500, 500, 500, 500, 500, 500, 200], sends.Select(r => r.StatusCode));
        // Handed to the engine again after the redelivery delay, on the injected clock.
        Assert.True(sends[6].At - sends[5].At >= Defaults.FirstDelay, $"redelivered after {sends[6].At - sends[5].At}");
        Assert.Single(api.SentMessages);
        Assert.Single(engine.ChatCalls);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 3030);
    }

    [Fact]
    public async Task DeliveryFailingForAnHour_GivenUpWithAWarning_NotReplayedAfterRestart()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        api.AddError(new TelegramScriptedError("sendMessage", 502, "Bad Gateway", Times: null));
        var engine = new RealEngine();
        AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time);
        int updateId = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "hello?"));

        await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Any(r => r.Id.Id == 3031), "giving up", TimeSpan.FromSeconds(120));
        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the pending update to be dropped");
        TelegramRequest[] sends = [.. api.Requests.Where(r => r.Method == "sendmessage")];
        int scheduled = host.Logs.GetSnapshot().Count(r => r.Id.Id == 3030);
        await host.DisposeAsync();

        Assert.Empty(api.SentMessages);
        Assert.NotNull(await store.GetAsync(UpdateJournal.AnsweredPrefix + updateId, CancellationToken.None));
        // Each delivery attempt is the outbox's six sends; between attempts the waits grow (15 s, 30 s, 1 min ... 5 min).
        TelegramRequest[][] attempts = [.. sends.Chunk(6)];
        Assert.All(attempts, a => Assert.Equal(6, a.Length));
        for (int i = 1; i < attempts.Length; i++)
        {
            TimeSpan waited = attempts[i][0].At - attempts[i - 1][^1].At;
            Assert.True(waited >= Defaults.DelayAfter(i), $"attempt {i + 1} came {waited} after the failure before it");
        }

        // Nothing is tried an hour after the first failure, so at most as many attempts as the schedule fits in the hour.
        DateTimeOffset firstFailure = attempts[0][^1].At;
        Assert.All(attempts, a => Assert.True(a[0].At - firstFailure < Defaults.GiveUpAfter, $"an attempt {a[0].At - firstFailure} after the first failure"));
        int fits = 0;
        for (TimeSpan total = Defaults.DelayAfter(1); total < Defaults.GiveUpAfter; total += Defaults.DelayAfter(fits + 1))
        {
            fits++;
        }

        Assert.InRange(attempts.Length, 3, 1 + fits);
        // Each failed attempt scheduled the next (the last one's came due after the hour: given up).
        Assert.Equal(attempts.Length, scheduled);
        // Every attempt was answered from the store: the model was asked once.
        Assert.Single(engine.ChatCalls);

        var next = new ManualEngine();
        int polls = api.Requests.Count(r => r.Method == "getupdates");
        await using AdapterHost after = await AdapterHost.StartAsync(api, next, store, clock.Time);
        await Waiting.UntilAsync(() => api.Requests.Count(r => r.Method == "getupdates") > polls, "the restarted adapter to poll");
        Assert.Equal(0, next.Count);
    }

    [Fact]
    public async Task BacklogBeyondTheLaneCapacity_SentAfterTheHostsClock_StaysPendingAndIsAnsweredInOrder_NoBusyReplies()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RealEngine engine = EngineHeldUntil(gate.Task);

        // Six messages waited on Telegram's server while the bot was down. Their dates are later than the host's clock
        // (which is behind Telegram's): only their position says they are backlog.
        var ids = new List<int>();
        for (int i = 1; i <= 6; i++)
        {
            JsonObject message = TelegramUpdates.PrivateText(42, $"m{i}");
            message["date"] = clock.Time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds();
            ids.Add(MessageId(message));
            api.EnqueueMessage(message);
        }

        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, new Dictionary<string, string?> { ["Engine:LaneCapacity"] = "2" });
        await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Any(r => r.Id.Id == 3035), "backlog to wait for room");
        gate.SetResult();

        var replies = new List<TelegramSentMessage>();
        for (int i = 0; i < 6; i++)
        {
            replies.Add(await api.NextMessageAsync(42, Guard));
        }

        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the backlog to be answered");
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"reply to: m{i}"), replies.Select(r => r.Text));
        Assert.Equal(ids, replies.Select(r => r.ReplyToMessageId!.Value));
        Assert.Equal(6, api.SentMessages.Count);
        Assert.Equal(6, engine.ChatCalls.Count);
        // Waiting (behind an earlier update, for room in the lane) is logged at most once per update and reason, at
        // Debug, never as a failed delivery.
        FakeLogRecord[] waits = [.. host.Logs.GetSnapshot().Where(r => r.Id.Id is 3034 or 3035)];
        Assert.NotEmpty(waits);
        Assert.All(waits, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.Equal(waits.Length, waits.Select(r => (r.Id.Id, r.Message.Split(' ')[2])).Distinct().Count());
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id is 3030 or 3031);
    }

    [Fact]
    public async Task BacklogWaitingForRoomLongerThanGiveUpAfter_IsStillAnsweredInOrder()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RealEngine engine = EngineHeldUntil(gate.Task);
        for (int i = 1; i <= 4; i++)
        {
            api.EnqueueMessage(TelegramUpdates.PrivateText(42, $"m{i}"));
        }

        await using AdapterHost host = await AdapterHost.StartAsync(
            api, engine, store, clock.Time, new Dictionary<string, string?> { ["Engine:LaneCapacity"] = "1" });
        await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Any(r => r.Id.Id == 3035), "backlog to wait for room");
        // The first answer takes longer than the give-up time: nothing failed, so nothing is given up.
        clock.Time.Advance(Defaults.GiveUpAfter + TimeSpan.FromHours(1));
        gate.SetResult();

        var replies = new List<TelegramSentMessage>();
        for (int i = 0; i < 4; i++)
        {
            replies.Add(await api.NextMessageAsync(42, Guard));
        }

        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "the backlog to be answered");
        Assert.Equal(Enumerable.Range(1, 4).Select(i => $"reply to: m{i}"), replies.Select(r => r.Text));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id is 3030 or 3031);
        Assert.Equal(4, (await store.ListAsync(UpdateJournal.AnsweredPrefix, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Webhook_DeliveriesTelegramHadPending_AreBacklog_LaterOnesLive()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        var backlogGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var liveGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = new RealEngine();
        engine.Model.Responder = async (p, ct) =>
        {
            string text = p.Messages[^1].Text;
            await (text is "m1" or "m2" or "m3" ? backlogGate : liveGate).Task.WaitAsync(ct);
            return new FakeReply($"reply to: {text}", Usage);
        };
        // Telegram reports three updates waiting for the webhook (queued in the fake, which getWebhookInfo counts).
        for (int i = 0; i < 3; i++)
        {
            api.EnqueueMessage(TelegramUpdates.PrivateText(7, "waiting"));
        }

        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, new Dictionary<string, string?>
        {
            ["Telegram:Mode"] = "Webhook",
            ["Telegram:Webhook:PublicUrl"] = "https://bot.example.test",
            ["Telegram:Webhook:ListenUrl"] = "http://127.0.0.1:0",
            ["Engine:LaneCapacity"] = "1",
        });
        await Waiting.UntilAsync(() => host.Status.IsConnected, "the webhook to be set");
        var endpoint = new Uri(new Uri(host.Status.WebhookAddress!), "/telegram/webhook");
        string secret = api.WebhookSecret!;

        // The first three deliveries are that backlog: a full lane keeps them waiting, never "busy".
        foreach (string text in new[] { "m1", "m2", "m3" })
        {
            Assert.Equal(200, await api.PostWebhookAsync(endpoint, secret, TelegramUpdates.PrivateText(42, text)));
        }

        backlogGate.SetResult();
        string[] backlog = [(await api.NextMessageAsync(42, Guard)).Text, (await api.NextMessageAsync(42, Guard)).Text, (await api.NextMessageAsync(42, Guard)).Text];

        // From then on deliveries are live: over the lane's capacity they get "busy".
        Assert.Equal(200, await api.PostWebhookAsync(endpoint, secret, TelegramUpdates.PrivateText(42, "m4")));
        await Waiting.UntilAsync(() => engine.ChatCalls.Any(c => c.Messages[^1].Text == "m4"), "the model call for m4");
        Assert.Equal(200, await api.PostWebhookAsync(endpoint, secret, TelegramUpdates.PrivateText(42, "m5")));
        JsonObject sixth = TelegramUpdates.PrivateText(42, "m6");
        Assert.Equal(200, await api.PostWebhookAsync(endpoint, secret, sixth));
        TelegramSentMessage busy = await api.NextMessageAsync(42, Guard);
        liveGate.SetResult();
        string[] live = [(await api.NextMessageAsync(42, Guard)).Text, (await api.NextMessageAsync(42, Guard)).Text];

        Assert.Equal(["reply to: m1", "reply to: m2", "reply to: m3"], backlog);
        Assert.StartsWith("I'm still working on earlier messages here.", busy.Text, StringComparison.Ordinal);
        Assert.Equal(MessageId(sixth), busy.ReplyToMessageId);
        Assert.Equal(["reply to: m4", "reply to: m5"], live);
    }

    [Fact]
    public async Task LiveMessageBeyondTheLaneCapacity_DatedBeforeTheHostsClock_IsToldTheBotIsBusy()
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new InMemoryKeyValueStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RealEngine engine = EngineHeldUntil(gate.Task);
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, new Dictionary<string, string?> { ["Engine:LaneCapacity"] = "1" });
        // Caught up: the adapter long-polls only once the backlog is in; from then on, whatever arrives is live.
        await Waiting.UntilAsync(() => api.Requests.Any(r => r.Method == "getupdates" && FakeTelegramBotApi.GetLong(r.Parameters, "timeout") > 0), "the adapter to catch up");

        // Dated a day before the host's clock (which is ahead of Telegram's): only their position says they are live.
        JsonObject Live(string text)
        {
            JsonObject message = TelegramUpdates.PrivateText(42, text);
            message["date"] = clock.Time.GetUtcNow().AddDays(-1).ToUnixTimeSeconds();
            return message;
        }

        api.EnqueueMessage(Live("m1"));
        await Waiting.UntilAsync(() => engine.ChatCalls.Count == 1, "the first model call");
        int second = api.EnqueueMessage(Live("m2"));
        // The offset moves past an update only after it was handed to the engine.
        await Waiting.UntilAsync(() => api.Requests.Any(r => r.Method == "getupdates" && FakeTelegramBotApi.GetLong(r.Parameters, "offset") > second), "m2 to be queued");
        JsonObject third = Live("m3");
        int thirdUpdate = api.EnqueueMessage(third);

        TelegramSentMessage busy = await api.NextMessageAsync(42, Guard);
        gate.SetResult();
        TelegramSentMessage[] answers = [await api.NextMessageAsync(42, Guard), await api.NextMessageAsync(42, Guard)];
        await Waiting.UntilAsync(async () => (await PendingAsync(store)).Count == 0, "every update to be done");

        Assert.StartsWith("I'm still working on earlier messages here.", busy.Text, StringComparison.Ordinal);
        Assert.Equal(MessageId(third), busy.ReplyToMessageId);
        Assert.Equal(["reply to: m1", "reply to: m2"], answers.Select(a => a.Text));
        Assert.NotNull(await store.GetAsync(UpdateJournal.AnsweredPrefix + thirdUpdate, CancellationToken.None));
        Assert.Equal(2, engine.ChatCalls.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(400)]
    public async Task FailingChatAction_ReplyStillDeliveredAndAnswered(int status)
    {
        await using TestClock clock = TestClock.Start();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        api.AddError(new TelegramScriptedError("sendChatAction", status, status == 400 ? "Bad Request: chat not found" : "Internal Server Error", Times: null));
        var store = new InMemoryKeyValueStore();
        var engine = new FakeConversationEngine
        {
            Responder = async (m, ct) =>
            {
                // Answer only once typing has failed twice while the model "worked".
                while (api.Requests.Count(r => r.Method == "sendchataction") < 2)
                {
                    await Task.Delay(10, ct);
                }

                return $"echo: {m.Text}";
            },
        };
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time);

        int updateId = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "hi"));
        TelegramSentMessage reply = await api.NextMessageAsync(42, Guard);
        await engine.WhenIdleAsync();

        Assert.Equal("echo: hi", reply.Text);
        Assert.All(api.Requests.Where(r => r.Method == "sendchataction"), r => Assert.Equal(status, r.StatusCode));
        Assert.Empty(await PendingAsync(store));
        Assert.NotNull(await store.GetAsync(UpdateJournal.AnsweredPrefix + updateId, CancellationToken.None));
        Assert.Single(api.SentMessages);
    }
}
