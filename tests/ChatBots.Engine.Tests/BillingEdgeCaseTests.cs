using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Tests;

/// <summary>Edge cases of billing and retries: interrupted streams, used-up budgets, tiny reply limits, context retries.</summary>
public sealed class BillingEdgeCaseTests
{
    [Fact]
    public async Task Engine_StreamBreaksMidAnswer_CallStillBilledAsEstimate()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply(
            "half an answer",
            Error: new ModelCallException(ModelErrorKind.Timeout, "connection dropped")));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message("hi"));

        Assert.Equal(ReplyKind.Error, sink.Replies.Single().Kind);
        LedgerEntry entry = Assert.Single(harness.Store.Ledger);
        Assert.True(entry.Estimated);
        Assert.True(entry.OutputTokens > 0);
        Assert.True(entry.Cost.Value > 0);
        // Nothing half-done lands in the history.
        var snapshot = await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None);
        Assert.Empty(snapshot.Turns);
    }

    [Fact]
    public async Task Engine_BudgetUsedUp_NoSummaryIsBilledEither()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Engine:ContextTokenCap"] = "2000");
        for (int i = 0; i < 12; i++)
        {
            await harness.AskAsync(new string('a', 10) + " " + string.Concat(Enumerable.Repeat("word ", 60)));
        }

        int summariesBefore = harness.Model.SummaryPrompts.Count;
        int ledgerBefore = harness.Store.Ledger.Count;
        await harness.Store.AppendAsync(
            new LedgerEntry(harness.Time.GetUtcNow(), EngineHarness.Message("x").Conversation, "telegram:42", "gpt-4o-mini", LedgerKind.Chat, 0, 0, 0, 0m, MicroUsd.FromDollars(5m), false, "2026-11-28"),
            CancellationToken.None);
        await using EngineHarness limited = EngineHarness.Create(s =>
        {
            s["Engine:ContextTokenCap"] = "2000";
            s["Budgets:UserDailyUsd"] = "1";
        }, harness.Store);

        string reply = await limited.AskAsync(string.Concat(Enumerable.Repeat("more words ", 200)));

        Assert.Contains("used up", reply, StringComparison.Ordinal);
        Assert.Empty(limited.Model.Prompts);
        Assert.Equal(ledgerBefore + 1, harness.Store.Ledger.Count);
        Assert.Equal(summariesBefore, harness.Model.SummaryPrompts.Count);
    }

    [Fact]
    public async Task Engine_TinyReplyLimitUnderBudget_StillAnswers()
    {
        // The prompt (~8 µUSD) fits the 10 µUSD, the reply does not: the floor is the configured 16 tokens, not 64.
        // (The old version of this test left $0.000001, less than the prompt: that is now refused, see BudgetWorstCaseTests.)
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Engine:MaxReplyTokens"] = "16";
            s["Budgets:UserDailyUsd"] = "0.00001";
        });

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message("hi"));

        Assert.Equal(ReplyKind.Answer, sink.Replies.Single().Kind);
        Assert.Equal(16, harness.Model.ChatPrompts.Single().MaxOutputTokens);
    }

    [Fact]
    public async Task Engine_ContextTooLongWithNothingToEvict_RetriesWithShorterMessage()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["OpenAI:Model"] = "unlisted-model");
        int calls = 0;
        harness.Model.Responder = (p, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new FakeReply("", Error: new ModelCallException(ModelErrorKind.ContextTooLong, "maximum context length"))
            : new FakeReply("ok"));
        string big = string.Concat(Enumerable.Repeat("人工智能正在改变世界。", 600));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message(big));

        Assert.Equal("ok", sink.Replies[^1].Text);
        IReadOnlyList<RecordedPrompt> prompts = harness.Model.ChatPrompts;
        Assert.Equal(2, prompts.Count);
        Assert.True(prompts[1].Messages[^1].Text.Length < prompts[0].Messages[^1].Text.Length, "the retry must shrink the message itself");
        // The user is told, as when a message is cut before the first call.
        Assert.Equal([ReplyKind.Notice, ReplyKind.Answer], sink.Replies.Select(r => r.Kind));
        Assert.Contains("I read only its beginning", sink.Replies[0].Text, StringComparison.Ordinal);
        Assert.StartsWith(prompts[1].Messages[^1].Text, big, StringComparison.Ordinal);
    }

    [Fact]
    public void BudgetRefusal_HostCultureWithOtherSeparators_DateStillWrittenInvariantly()
    {
        // Cultures differ in their time separator (a custom format's ':' takes it); the reply must not.
        var odd = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        odd.DateTimeFormat.TimeSeparator = ".";
        odd.DateTimeFormat.DateSeparator = ".";
        var refusal = new BudgetRefusal(
            new BudgetLimit("your daily budget", BudgetScopeKind.User, BudgetPeriod.Day, MicroUsd.FromDollars(1)),
            MicroUsd.FromDollars(1),
            new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
        System.Globalization.CultureInfo before = System.Globalization.CultureInfo.CurrentCulture;
        string text;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = odd;
            text = refusal.ToUserMessage(new DateTimeOffset(2026, 11, 28, 10, 30, 0, TimeSpan.Zero));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }

        Assert.Equal("Sorry, your daily budget of $1.00 is used up ($1.00 spent). It resets at 2026-11-29 00:00 UTC (in 13 h 30 min).", text);
    }
}
