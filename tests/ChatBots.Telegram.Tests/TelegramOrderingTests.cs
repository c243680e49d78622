using ChatBots.Engine.Conversations;
using ChatBots.Testing;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// A conversation is answered in the order its messages arrived, whatever interleaves: retries of failed deliveries,
/// give-ups, messages waiting behind a stuck one. The engine is driven by hand (a delivery "fails" when the engine
/// finishes without a reply), and the clock moves only when the test moves it, so each interleaving is exact.
/// </summary>
public sealed class TelegramOrderingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static Dictionary<string, string?> Redelivery(string giveUpAfter) => new()
    {
        ["Telegram:Redelivery:FirstDelay"] = "00:01:00",
        ["Telegram:Redelivery:MaxDelay"] = "00:05:00",
        ["Telegram:Redelivery:GiveUpAfter"] = giveUpAfter,
    };

    /// <summary>The engine finishes without a reply: nothing reached the user, so the delivery failed.</summary>
    private static async Task FailAsync(IReplySink sink) => await sink.WorkFinishedAsync(CancellationToken.None);

    private static async Task AnswerAsync(IReplySink sink, string text)
    {
        await sink.SendAsync(new OutgoingReply(text, ReplyKind.Answer), CancellationToken.None);
        await sink.WorkFinishedAsync(CancellationToken.None);
    }

    /// <summary>The next message the engine is handed, which must be <paramref name="text"/>; returns its sink.</summary>
    private static async Task<IReplySink> ExpectAsync(ManualEngine engine, string text)
    {
        (IncomingMessage message, IReplySink sink) = await engine.NextAsync(Guard);
        Assert.Equal(text, message.Text);
        return sink;
    }

    private static FakeLogRecord[] Logs(AdapterHost host, int eventId) => [.. host.Logs.GetSnapshot().Where(r => r.Id.Id == eventId)];

    [Fact]
    public async Task RetryDueWhileAnotherUpdateIsGivenUp_LiveMessageArrivingMeanwhile_QueuesBehindTheRetry()
    {
        await using TestClock clock = TestClock.Manual();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var store = new GatedKeyValueStore(new InMemoryKeyValueStore());
        var engine = new ManualEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, Redelivery(giveUpAfter: "00:02:00"));
        DateTimeOffset t0 = clock.Time.GetUtcNow();

        // Chat 1: e fails at t0 and again at t0+1m; its next try, at t0+3m, is past its give-up time.
        int given = api.EnqueueMessage(TelegramUpdates.PrivateText(1, "e"));
        await FailAsync(await ExpectAsync(engine, "e"));
        await Waiting.UntilAsync(() => clock.Time.HasTimerDueAt(t0 + Minute), "the first retry of e");
        clock.Time.AdvanceTo(t0 + Minute);
        await FailAsync(await ExpectAsync(engine, "e"));
        await Waiting.UntilAsync(() => clock.Time.HasTimerDueAt(t0 + (3 * Minute)), "the second retry of e");

        // Chat 42: a fails at t0+2m; its retry comes due at t0+3m as well, together with e's give-up.
        clock.Time.AdvanceTo(t0 + (2 * Minute));
        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "a"));
        await FailAsync(await ExpectAsync(engine, "a"));
        await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Count(r => r.Id.Id == 3030) == 3, "a's retry to be scheduled");
        await Waiting.UntilAsync(() => clock.Time.HasTimerDueAt(t0 + (3 * Minute)), "the redelivery loop to wait for t0+3m");

        // Recording e's give-up hangs; meanwhile b arrives in chat 42.
        store.Gate(UpdateJournal.AnsweredPrefix + given);
        clock.Time.AdvanceTo(t0 + (3 * Minute));
        await store.Reached.Task.WaitAsync(Guard);
        api.EnqueueMessage(TelegramUpdates.PrivateText(42, "b"));

        // a was handed back before anything was awaited: b waits behind it, never ahead, until a is answered.
        IReplySink a = await ExpectAsync(engine, "a");
        await Waiting.UntilAsync(() => Logs(host, 3034).Length == 1, "b to wait behind a");
        store.Release();
        await Waiting.UntilAsync(async () => await store.GetAsync(UpdateJournal.AnsweredPrefix + given, CancellationToken.None) is not null, "e's give-up to be recorded");
        Assert.Equal(4, engine.Count);
        await AnswerAsync(a, "answer a");
        IReplySink b = await ExpectAsync(engine, "b");
        Assert.Equal("answer a", (await api.NextMessageAsync(42, Guard)).Text);

        FakeLogRecord abandoned = Assert.Single(Logs(host, 3031));
        Assert.Contains($"update {given} ", abandoned.Message, StringComparison.Ordinal);
        Assert.Equal(5, engine.Count);
        await FailAsync(b);
    }

    [Fact]
    public async Task MessagesBehindAStuckUpdate_WaitWithoutPolling_AndGoInOrderWhenItIsAnswered()
    {
        await using TestClock clock = TestClock.Manual();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var engine = new ManualEngine();
        await using AdapterHost host = await AdapterHost.StartAsync(api, engine, new InMemoryKeyValueStore(), clock.Time, Redelivery(giveUpAfter: "01:00:00"));

        int a = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "a"));
        await FailAsync(await ExpectAsync(engine, "a"));
        int b = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "b"));
        int c = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "c"));
        await Waiting.UntilAsync(() => Logs(host, 3034).Length == 2, "b and c to wait behind a");

        // a keeps failing for a while (1, 2, 4 minutes): b and c just wait, without attempts or log lines of their own.
        IReplySink retry = null!;
        for (int failures = 1; failures <= 3; failures++)
        {
            await Waiting.UntilAsync(() => clock.Time.NextDue() is not null, $"retry {failures} of a");
            clock.Time.AdvanceTo(clock.Time.NextDue()!.Value);
            retry = await ExpectAsync(engine, "a");
            if (failures < 3)
            {
                await FailAsync(retry);
            }
        }

        Assert.Equal(4, engine.Count);
        // Answered at last: b and c go now, in order.
        await AnswerAsync(retry, "answer a");
        IReplySink first = await ExpectAsync(engine, "b");
        IReplySink second = await ExpectAsync(engine, "c");
        Task answers = Task.Run(async () =>
        {
            await AnswerAsync(first, "answer b");
            await AnswerAsync(second, "answer c");
        });
        await Waiting.AdvanceUntilAsync(clock.Time, () => api.SentMessages.Count == 3, "the three answers");
        await answers;

        Assert.Equal(["answer a", "answer b", "answer c"], api.SentMessages.Select(m => m.Text));
        FakeLogRecord[] behind = Logs(host, 3034);
        Assert.Equal([$"update {b} waits behind update {a}", $"update {c} waits behind update {a}"], behind.Select(r => r.Message[(r.Message.IndexOf("update", StringComparison.Ordinal))..r.Message.IndexOf(" of the", StringComparison.Ordinal)]));
        Assert.All(behind, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.Equal(3, Logs(host, 3030).Length);
        Assert.All(Logs(host, 3030), r => Assert.Contains($"update {a}:", r.Message, StringComparison.Ordinal));
        Assert.Single(Logs(host, 3015), r => r.Message.Contains($"update {b} ", StringComparison.Ordinal));
        Assert.Single(Logs(host, 3015), r => r.Message.Contains($"update {c} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoreFailsWhileRecordingAGiveUpDuringShutdown_AdapterStopsCleanly_UpdateStaysPending()
    {
        await using TestClock clock = TestClock.Manual();
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var inner = new InMemoryKeyValueStore();
        var store = new GatedKeyValueStore(inner);
        var engine = new ManualEngine();
        AdapterHost host = await AdapterHost.StartAsync(api, engine, store, clock.Time, Redelivery(giveUpAfter: "00:01:00"));
        DateTimeOffset t0 = clock.Time.GetUtcNow();

        int update = api.EnqueueMessage(TelegramUpdates.PrivateText(42, "a"));
        // The store turns the shutdown's cancellation into an error of its own.
        store.Gate(UpdateJournal.AnsweredPrefix + update, () => new IOException("the disk went away"));
        await FailAsync(await ExpectAsync(engine, "a"));
        await Waiting.UntilAsync(() => clock.Time.HasTimerDueAt(t0 + Minute), "the retry");
        clock.Time.AdvanceTo(t0 + Minute);
        await store.Reached.Task.WaitAsync(Guard);
        await host.StopAsync();

        FakeLogRecord[] logs = [.. host.Logs.GetSnapshot()];
        bool faulted = host.Status.IsFaulted;
        await host.DisposeAsync();

        Assert.False(faulted);
        Assert.DoesNotContain(logs, r => r.Level == LogLevel.Critical);
        FakeLogRecord notSaved = Assert.Single(logs, r => r.Id.Id == 3037);
        Assert.IsType<IOException>(notSaved.Exception);
        Assert.Single(await inner.ListAsync(UpdateJournal.PendingPrefix, CancellationToken.None));
    }
}
