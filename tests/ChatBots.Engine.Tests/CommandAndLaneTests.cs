using ChatBots.Engine.Conversations;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Engine.Tests;

public sealed class CommandAndLaneTests
{
    [Fact]
    public async Task Help_ListsEveryCommand_WithoutModelCall()
    {
        await using EngineHarness harness = EngineHarness.Create();

        string help = await harness.AskAsync("/help");

        foreach (EngineCommand command in harness.Engine.Commands)
        {
            Assert.Contains("/" + command.Name, help, StringComparison.Ordinal);
        }

        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Reset_ForgetsHistoryAndSummary()
    {
        await using EngineHarness harness = EngineHarness.Create();
        await harness.AskAsync("my favourite colour is teal");

        string reply = await harness.AskAsync("/reset@TestBot");
        await harness.AskAsync("what is my favourite colour?");

        Assert.Contains("forgot", reply, StringComparison.Ordinal);
        var last = harness.Model.ChatPrompts[^1];
        Assert.DoesNotContain(last.Messages, m => m.Text.Contains("teal", StringComparison.Ordinal));
        var snapshot = await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None);
        Assert.Equal(2, snapshot.Turns.Count);
    }

    [Fact]
    public async Task Usage_ShowsCostTokensAndRemainingBudget()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "1");
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("ok", new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 1000 }));
        await harness.AskAsync("hello");

        string usage = await harness.AskAsync("/usage");

        // 1000 × 0.15 + 1000 × 0.60 = 750 µUSD.
        Assert.Contains("today: $0.00075", usage, StringComparison.Ordinal);
        Assert.Contains("1 calls, 1,000 tokens in", usage, StringComparison.Ordinal);
        Assert.Contains("Your daily budget $1.00: $0.99925 left", usage, StringComparison.Ordinal);
        Assert.Single(harness.Model.Prompts);
    }

    [Fact]
    public async Task Summary_SummarisesAndStatesItsCost()
    {
        await using EngineHarness harness = EngineHarness.Create();
        await harness.AskAsync("I live in Lisbon");
        harness.Model.Responder = (p, _) => Task.FromResult(p.IsSummary
            ? new FakeReply("The user lives in Lisbon.", new UsageDetails { InputTokenCount = 200, OutputTokenCount = 10 })
            : new FakeReply("?"));

        string reply = await harness.AskAsync("/summary");

        Assert.Contains("The user lives in Lisbon.", reply, StringComparison.Ordinal);
        Assert.Contains("This summary cost $0.000036", reply, StringComparison.Ordinal);
        Assert.Contains("I live in Lisbon", harness.Model.SummaryPrompts[0].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(Costs.LedgerKind.Summary, harness.Store.Ledger[^1].Kind);
    }

    [Fact]
    public async Task UnknownCommand_PointsToHelp()
    {
        await using EngineHarness harness = EngineHarness.Create();

        Assert.Contains("/help", await harness.AskAsync("/frobnicate"), StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task AccessList_RefusesOthersWithOneShortReply()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Access:AllowedUsers:0"] = "telegram:42");

        RecordingReplySink refused = await harness.SendAsync(EngineHarness.Message("hi", user: "43"));
        string allowed = await harness.AskAsync("hi", user: "42");

        OutgoingReply reply = Assert.Single(refused.Replies);
        Assert.Equal(ReplyKind.Notice, reply.Kind);
        Assert.Contains("allow-list", reply.Text, StringComparison.Ordinal);
        Assert.StartsWith("reply to", allowed, StringComparison.Ordinal);
        Assert.Single(harness.Model.Prompts);
    }

    [Fact]
    public async Task Engine_SlowConversation_DoesNotDelayAnother()
    {
        await using EngineHarness harness = EngineHarness.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Model.Responder = async (p, _) =>
        {
            if (p.Messages[^1].Text == "slow")
            {
                await release.Task;
            }

            return new FakeReply("done " + p.Messages[^1].Text);
        };

        var slow = new RecordingReplySink();
        harness.Engine.Enqueue(EngineHarness.Message("slow", chat: "A"), slow);
        RecordingReplySink fast = await harness.SendAsync(EngineHarness.Message("fast", chat: "B"));

        Assert.Equal("done fast", fast.Replies.Single().Text);
        Assert.False(slow.Finished.IsCompleted);
        release.SetResult();
        await slow.WaitAsync();
        Assert.Equal("done slow", slow.Replies.Single().Text);
    }

    [Fact]
    public async Task Engine_OneConversation_AnswersInOrder()
    {
        await using EngineHarness harness = EngineHarness.Create();
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<string>();
        harness.Model.Responder = async (p, _) =>
        {
            string text = p.Messages[^1].Text;
            if (text == "1")
            {
                firstArrived.SetResult();
                await release.Task;
            }

            lock (order)
            {
                order.Add(text);
            }

            return new FakeReply("answer " + text);
        };

        var sinks = Enumerable.Range(1, 5).Select(_ => new RecordingReplySink()).ToArray();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(EnqueueResult.Accepted, harness.Engine.Enqueue(EngineHarness.Message((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), sinks[i]));
        }

        await firstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(harness.Model.Prompts);
        release.SetResult();
        await Task.WhenAll(sinks.Select(s => s.WaitAsync()));

        Assert.Equal(["1", "2", "3", "4", "5"], order);
        // Each later prompt saw the earlier exchange: strictly ordered history.
        Assert.Equal("answer 4", harness.Model.ChatPrompts[4].Messages[^2].Text);
    }

    [Fact]
    public async Task Engine_LaneFull_SaysBusyInsteadOfBlocking()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Engine:LaneCapacity"] = "2");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Model.Responder = async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return new FakeReply("ok");
        };

        var results = new List<EnqueueResult> { harness.Engine.Enqueue(EngineHarness.Message("a"), new RecordingReplySink()) };
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (int i = 0; i < 3; i++)
        {
            results.Add(harness.Engine.Enqueue(EngineHarness.Message("b" + i), new RecordingReplySink()));
        }

        release.SetResult();
        Assert.Equal([EnqueueResult.Accepted, EnqueueResult.Accepted, EnqueueResult.Accepted, EnqueueResult.Busy], results);
    }

    [Fact]
    public async Task Engine_Stop_DrainsQueuedMessagesThenRefusesNewOnes()
    {
        EngineHarness harness = EngineHarness.Create();
        var sinks = Enumerable.Range(0, 3).Select(_ => new RecordingReplySink()).ToArray();
        foreach (RecordingReplySink sink in sinks)
        {
            harness.Engine.Enqueue(EngineHarness.Message("hi"), sink);
        }

        await harness.Engine.StopAsync(CancellationToken.None);

        Assert.All(sinks, s => Assert.True(s.Finished.IsCompleted));
        Assert.All(sinks, s => Assert.Equal(ReplyKind.Answer, s.Replies.Single().Kind));
        Assert.Equal(EnqueueResult.Stopping, harness.Engine.Enqueue(EngineHarness.Message("late"), new RecordingReplySink()));
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Engine_Stop_LogsThatItStoppedAcceptingWhileStillDraining()
    {
        // The end-to-end test waits for this line before it checks that new messages are refused.
        EngineHarness harness = EngineHarness.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Model.Responder = async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return new FakeReply("done");
        };
        var inFlight = new RecordingReplySink();
        harness.Engine.Enqueue(EngineHarness.Message("slow"), inFlight);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Task stopping = harness.Engine.StopAsync(CancellationToken.None);

        FakeLogRecord record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1103);
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("Engine stopped accepting messages; draining 1 conversations", record.Message);
        Assert.False(stopping.IsCompleted);
        Assert.Equal(EnqueueResult.Stopping, harness.Engine.Enqueue(EngineHarness.Message("late"), new RecordingReplySink()));
        release.SetResult();
        await stopping;
        Assert.Equal("done", inFlight.Replies.Single().Text);
        await harness.Engine.StopAsync(CancellationToken.None);
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1103); // a second stop says nothing new
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Engine_StopTimesOutWithQueuedMessages_EverySinkIsStillFinishedAndNothingAnswered()
    {
        EngineHarness harness = EngineHarness.Create();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Model.Responder = async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new FakeReply("never");
        };
        var inFlight = new RecordingReplySink();
        var queued = new[] { new RecordingReplySink(), new RecordingReplySink() };
        harness.Engine.Enqueue(EngineHarness.Message("slow"), inFlight);
        foreach (RecordingReplySink sink in queued)
        {
            harness.Engine.Enqueue(EngineHarness.Message("waiting"), sink);
        }

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync();
        await harness.Engine.StopAsync(expired.Token);

        // The adapters learn that the engine is done with every message (Telegram keeps them pending for the next start).
        Assert.True(inFlight.Finished.IsCompleted);
        Assert.All(queued, s => Assert.True(s.Finished.IsCompleted));
        Assert.All(queued, s => Assert.Empty(s.Replies));
        Assert.Single(harness.Model.Prompts);
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Engine_HistorySurvivesRestart_FromTheStore()
    {
        var store = new InMemoryConversationStore();
        await using (EngineHarness first = EngineHarness.Create(store: store))
        {
            await first.AskAsync("remember: teal");
        }

        await using EngineHarness second = EngineHarness.Create(store: store);
        await second.AskAsync("what colour?");

        var prompt = second.Model.ChatPrompts.Single();
        Assert.Equal("remember: teal", prompt.Messages[1].Text);
        Assert.Equal("reply to: remember: teal", prompt.Messages[2].Text);
    }
}
