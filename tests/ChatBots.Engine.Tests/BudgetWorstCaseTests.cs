using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Tests;

/// <summary>Budgets are checked against the worst case: the prompt must fit what is left, and a summary is reserved with the answer.</summary>
public sealed class BudgetWorstCaseTests
{
    private static readonly ConversationKey Chat = EngineHarness.Message("x").Conversation;

    private static int CountPrompt(RecordedPrompt prompt, string encoding) =>
        prompt.Messages.Sum(m => new TokenCounter().CountMessage(m.Role, m.Text, m.Name, encoding)) + TokenCounter.ReplyPriming;

    private static Task SpendAsync(EngineHarness harness, long microUsd) =>
        harness.Store.AppendAsync(
            new LedgerEntry(harness.Time.GetUtcNow(), Chat, "telegram:42", "gpt-4", LedgerKind.Chat, 0, 0, 0, 0m, new MicroUsd(microUsd), false, "2026-11-28"),
            CancellationToken.None);

    /// <summary>Sixteen exchanges of about 210 tokens, written with no budget and a wide window, so that the next message under a 4,000-token cap must evict.</summary>
    private static async Task<InMemoryConversationStore> LongHistoryAsync()
    {
        var store = new InMemoryConversationStore();
        await using EngineHarness writer = EngineHarness.Create(store: store);
        for (int i = 0; i < 16; i++)
        {
            await writer.AskAsync($"note {i}: " + string.Concat(Enumerable.Repeat("remember this detail please ", 24)));
        }

        return store;
    }

    [Fact]
    public async Task Engine_PromptCostsMoreThanIsLeft_RefusedWithoutModelCall()
    {
        // gpt-4 input is $30 per 1M tokens: with $0.01 left, a short message (~60 tokens, ~$0.002 to send) fits, while a
        // 4,500-token one (~$0.135) does not, though the budget is far from used up.
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["OpenAI:Model"] = "gpt-4";
            s["Budgets:UserDailyUsd"] = "1";
        });
        await SpendAsync(harness, 990_000);
        string big = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 450));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message(big));
        string small = await harness.AskAsync("hi");

        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(ReplyKind.Notice, reply.Kind);
        Assert.Contains("your daily budget of $1.00 has only $0.01 left", reply.Text, StringComparison.Ordinal);
        Assert.Contains("needs before any reply", reply.Text, StringComparison.Ordinal);
        Assert.Contains("resets at 2026-11-29 00:00 UTC", reply.Text, StringComparison.Ordinal);
        Assert.Equal("reply to: hi", small);
        RecordedPrompt prompt = Assert.Single(harness.Model.Prompts);
        Assert.Equal("hi", prompt.Messages[^1].Text);
        Assert.Equal(2, harness.Store.Ledger.Count);
    }

    [Fact]
    public async Task Engine_RemainderBelowEvenAShortPrompt_RefusedWithoutModelCall()
    {
        // $0.000001 cannot pay the ~50 tokens of system prompt and message at $0.15 per 1M (~8 µUSD).
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.000001");

        string reply = await harness.AskAsync("hi");

        Assert.Contains("has only $0.000001 left", reply, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
        Assert.Empty(harness.Store.Ledger);
    }

    [Fact]
    public async Task Engine_FirstShortMessageUnderTinyDailyBudget_AnsweredWithinTheOvershootBoundThenRefused()
    {
        // The "Done when": $0.00001 a day, the first short message answered, the second refused.
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.00001");
        // The model uses every output token it is allowed and reports exactly our prompt count.
        harness.Model.Responder = (p, _) => Task.FromResult(new FakeReply(
            "first answer",
            new UsageDetails { InputTokenCount = CountPrompt(p, TokenEncodings.O200kBase), OutputTokenCount = p.MaxOutputTokens }));

        string first = await harness.AskAsync("hello");
        string second = await harness.AskAsync("hello again");

        Assert.Equal("first answer", first);
        // The prompt fits the 10 µUSD, the reply does not: it is lowered to the 64-token floor.
        Assert.Equal(64, harness.Model.ChatPrompts.Single().MaxOutputTokens);
        // So the budget is overshot by at most 64 output tokens' price (64 × $0.60 per 1M = 38.4 µUSD).
        LedgerEntry entry = Assert.Single(harness.Store.Ledger);
        Assert.InRange(entry.Cost.Value - 10, 1, (long)Math.Ceiling(64 * 0.60m));
        Assert.Contains("your daily budget of $0.00001 is used up", second, StringComparison.Ordinal);
        Assert.Single(harness.Model.ChatPrompts);
    }

    [Fact]
    public async Task Engine_EvictionDueButItsSummaryDoesNotFitWhatIsLeft_RefusedBeforeAnySummaryIsPaid()
    {
        InMemoryConversationStore store = await LongHistoryAsync();
        int ledgerBefore = store.Ledger.Count;
        ConversationSnapshot before = await store.LoadAsync(Chat, CancellationToken.None);
        // The answer's prompt costs well under a cent at gpt-4o-mini prices; folding the history with gpt-4 ($30/$60
        // per 1M) costs several cents at worst, more than the $0.01 a day allows.
        await using EngineHarness limited = EngineHarness.Create(
            s =>
            {
                s["Engine:ContextTokenCap"] = "4000";
                s["OpenAI:SummaryModel"] = "gpt-4";
                s["Budgets:UserDailyUsd"] = "0.01";
            },
            store);

        string reply = await limited.AskAsync("and one more");

        Assert.Contains("has only", reply, StringComparison.Ordinal);
        Assert.Empty(limited.Model.Prompts);
        Assert.Equal(ledgerBefore, store.Ledger.Count);
        Assert.Equal(before.Turns, (await store.LoadAsync(Chat, CancellationToken.None)).Turns);
    }

    [Fact]
    public async Task Engine_EvictionDue_TheSummaryWorstCaseIsReservedWithTheAnswerUntilItSettles()
    {
        InMemoryConversationStore store = await LongHistoryAsync();
        await using EngineHarness harness = EngineHarness.Create(
            s =>
            {
                s["Engine:ContextTokenCap"] = "4000";
                s["OpenAI:SummaryModel"] = "gpt-4";
                s["Budgets:UserDailyUsd"] = "5";
            },
            store);
        BudgetGuard budgets = harness.Get<BudgetGuard>();
        BudgetLimit daily = budgets.Limits().Single();
        long reservedDuringSummary = -1;
        long expectedSummaryWorst = 0;
        harness.Model.Responder = async (p, _) =>
        {
            if (p.IsSummary)
            {
                MicroUsd spent = await budgets.SpentAsync(daily, "telegram:42", Chat, harness.Time.GetUtcNow(), CancellationToken.None);
                UsageTotals settled = await store.SumAsync(new LedgerFilter(UserId: "telegram:42"), CancellationToken.None);
                reservedDuringSummary = (spent - settled.Cost).Value;
                // gpt-4: its whole prompt at $30 per 1M and the full summary limit (600 tokens) at $60 per 1M.
                expectedSummaryWorst = (long)Math.Ceiling((CountPrompt(p, TokenEncodings.Cl100kBase) * 30m) + (600 * 60m));
                return new FakeReply("They noted many details.", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 });
            }

            return new FakeReply("ok", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 });
        };

        Assert.Equal("ok", await harness.AskAsync("and one more"));

        Assert.Single(harness.Model.SummaryPrompts);
        // Held before the summary was sent: the summary's worst case plus the answer's prompt (and its reply).
        Assert.True(reservedDuringSummary > expectedSummaryWorst, $"reserved {reservedDuringSummary} µUSD, the summary alone may cost {expectedSummaryWorst}");
        // Released once the answer settled.
        MicroUsd after = await budgets.SpentAsync(daily, "telegram:42", Chat, harness.Time.GetUtcNow(), CancellationToken.None);
        Assert.Equal((await store.SumAsync(new LedgerFilter(UserId: "telegram:42"), CancellationToken.None)).Cost, after);
    }

    /// <summary>Six short exchanges: no eviction is due under a 4,000-token cap until a server says the prompt is too long.</summary>
    private static async Task<InMemoryConversationStore> ShortHistoryAsync()
    {
        var store = new InMemoryConversationStore();
        await using EngineHarness writer = EngineHarness.Create(store: store);
        for (int i = 0; i < 6; i++)
        {
            await writer.AskAsync("message number " + i + " " + new string('x', 200));
        }

        return store;
    }

    private static EngineHarness ContextRetryHarness(InMemoryConversationStore store, string dailyUsd, Func<RecordedPrompt, Task<FakeReply>>? onSummary = null)
    {
        EngineHarness harness = EngineHarness.Create(
            s =>
            {
                s["Engine:ContextTokenCap"] = "4000";
                s["OpenAI:SummaryModel"] = "gpt-4";
                s["Budgets:UserDailyUsd"] = dailyUsd;
            },
            store);
        int calls = 0;
        harness.Model.Responder = (p, _) =>
        {
            if (p.IsSummary)
            {
                return onSummary?.Invoke(p) ?? Task.FromResult(new FakeReply("short summary"));
            }

            return Task.FromResult(Interlocked.Increment(ref calls) == 1
                ? new FakeReply("", Error: new ModelCallException(ModelErrorKind.ContextTooLong, "HTTP 400 context_length_exceeded") { Status = 400 })
                : new FakeReply("fits now", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 }));
        };
        return harness;
    }

    [Fact]
    public async Task Engine_ContextTooLongRetryWhoseSummaryTheBudgetCannotPay_TurnsDroppedUnsummarisedWithoutASummaryCall()
    {
        // The retry must evict; folding with gpt-4 ($30/$60 per 1M) may cost ~$0.05, more than the $0.01 a day allows,
        // while the answer itself (gpt-4o-mini) fits.
        InMemoryConversationStore store = await ShortHistoryAsync();
        await using EngineHarness harness = ContextRetryHarness(store, "0.01");

        string answer = await harness.AskAsync("and now?");

        Assert.Equal("fits now", answer);
        Assert.Empty(harness.Model.SummaryPrompts);
        Assert.DoesNotContain(store.Ledger, e => e.Kind == LedgerKind.Summary);
        IReadOnlyList<RecordedPrompt> prompts = harness.Model.ChatPrompts;
        Assert.Equal(2, prompts.Count);
        Assert.True(prompts[1].Messages.Count < prompts[0].Messages.Count, "the retry must send a shorter prompt");
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1020);
        ConversationSnapshot after = await store.LoadAsync(Chat, CancellationToken.None);
        Assert.Equal(["and now?", "fits now"], after.Turns.Select(t => t.Text));
    }

    [Fact]
    public async Task Engine_ContextTooLongRetryWithinBudget_ItsSummaryIsReservedBeforeItIsSent()
    {
        InMemoryConversationStore store = await ShortHistoryAsync();
        long reservedDuringSummary = -1;
        long summaryWorst = 0;
        EngineHarness? harnessRef = null;
        await using EngineHarness harness = ContextRetryHarness(store, "5", async p =>
        {
            BudgetGuard budgets = harnessRef!.Get<BudgetGuard>();
            BudgetLimit daily = budgets.Limits().Single();
            MicroUsd spent = await budgets.SpentAsync(daily, "telegram:42", Chat, harnessRef.Time.GetUtcNow(), CancellationToken.None);
            UsageTotals settled = await store.SumAsync(new LedgerFilter(UserId: "telegram:42"), CancellationToken.None);
            reservedDuringSummary = (spent - settled.Cost).Value;
            summaryWorst = (long)Math.Ceiling((CountPrompt(p, TokenEncodings.Cl100kBase) * 30m) + (600 * 60m));
            return new FakeReply("short summary", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 });
        });
        harnessRef = harness;

        Assert.Equal("fits now", await harness.AskAsync("and now?"));

        Assert.Single(harness.Model.SummaryPrompts);
        // Held while the summary ran: its own worst case on top of the answer's reservation.
        Assert.True(reservedDuringSummary > summaryWorst, $"reserved {reservedDuringSummary} µUSD, the summary alone may cost {summaryWorst}");
        Assert.Single(store.Ledger, e => e.Kind == LedgerKind.Summary);
    }

    [Fact]
    public async Task Engine_HugeMessageWhileBudgetUsedUp_OnlyTheRefusalNoTruncationNotice()
    {
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Engine:ContextTokenCap"] = "4000";
            s["Budgets:GlobalMonthlyUsd"] = "0";
        });
        string huge = string.Concat(Enumerable.Repeat("人工智能正在改变世界。", 1_000));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message(huge));

        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Contains("the bot's monthly budget", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("read only its beginning", reply.Text, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Engine_HugeMessageWithinBudget_NoticeThenAnswer()
    {
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Engine:ContextTokenCap"] = "4000";
            s["Budgets:UserDailyUsd"] = "1";
        });
        string huge = string.Concat(Enumerable.Repeat("人工智能正在改变世界。", 1_000));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message(huge));

        Assert.Equal([ReplyKind.Notice, ReplyKind.Answer], sink.Replies.Select(r => r.Kind));
        Assert.Contains("I read only its beginning", sink.Replies[0].Text, StringComparison.Ordinal);
    }
}
