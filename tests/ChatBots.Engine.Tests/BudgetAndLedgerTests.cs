using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Tests;

public sealed class BudgetAndLedgerTests
{
    private static FakeReply Reply(string text, long input, long output, long cached = 0) =>
        new(text, new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output, CachedInputTokenCount = cached });

    [Fact]
    public async Task Engine_DailyBudgetUsedUp_RefusesWithoutModelCall()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.00001");
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("first answer", 120, 40));

        string first = await harness.AskAsync("hello");
        string second = await harness.AskAsync("hello again");

        Assert.Equal("first answer", first);
        Assert.Single(harness.Model.ChatPrompts);
        Assert.Contains("your daily budget of $0.00001 is used up", second, StringComparison.Ordinal);
        Assert.Contains("resets at 2026-11-29 00:00 UTC", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_BudgetResetsNextDay_AnswersAgain()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.00001");
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("ok", 120, 40));
        await harness.AskAsync("one");
        Assert.Contains("used up", await harness.AskAsync("two"), StringComparison.Ordinal);

        harness.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal("ok", await harness.AskAsync("three"));
        Assert.Equal(2, harness.Model.ChatPrompts.Count);
    }

    [Fact]
    public async Task Engine_ConversationMonthlyBudget_OtherConversationUnaffected()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:ConversationMonthlyUsd"] = "0.00001");
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("ok", 120, 40));
        await harness.AskAsync("one", chat: "A");

        string refused = await harness.AskAsync("two", chat: "A");
        string other = await harness.AskAsync("three", chat: "B");

        Assert.Contains("this conversation's monthly budget", refused, StringComparison.Ordinal);
        Assert.Contains("resets at 2026-12-01 00:00 UTC", refused, StringComparison.Ordinal);
        Assert.Equal("ok", other);
    }

    [Fact]
    public async Task Engine_AdminUser_BypassesBudget()
    {
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Budgets:GlobalMonthlyUsd"] = "0";
            s["Access:Admins:0"] = "telegram:1";
        });
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("ok", 10, 5));

        Assert.Contains("the bot's monthly budget", await harness.AskAsync("hi", user: "2"), StringComparison.Ordinal);
        Assert.Equal("ok", await harness.AskAsync("hi", user: "1"));
        Assert.Single(harness.Model.ChatPrompts);
    }

    [Fact]
    public async Task Engine_WorstCaseOverRemainingBudget_ShortensTheReplyLimit()
    {
        // $0.001 left pays ~1,600 output tokens at $0.60/M after the prompt: the reply limit shrinks from 16,384.
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Budgets:UserDailyUsd"] = "0.001";
            s["Engine:MaxReplyTokens"] = "16384";
            s["Engine:ContextTokenCap"] = "128000";
        });
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("ok", 50, 5));

        await harness.AskAsync("hello");

        int? limit = harness.Model.ChatPrompts[0].MaxOutputTokens;
        Assert.NotNull(limit);
        Assert.InRange(limit!.Value, 1_000, 1_700);
    }

    [Fact]
    public async Task Engine_Ledger_TotalsEqualTheModelsReportedUsageTimesCataloguePrices()
    {
        await using EngineHarness harness = EngineHarness.Create();
        var random = new Random(11);
        var reported = new List<UsageDetails>();
        harness.Model.Responder = (_, _) =>
        {
            long input = random.Next(1_100, 5_000);
            var usage = new UsageDetails { InputTokenCount = input, CachedInputTokenCount = random.Next(0, 2) * 1_024, OutputTokenCount = random.Next(1, 900) };
            lock (reported)
            {
                reported.Add(usage);
            }

            return Task.FromResult(new FakeReply("ok", usage));
        };

        for (int i = 0; i < 7; i++)
        {
            await harness.AskAsync("q" + i, chat: (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Independently of the engine's pricing code: the harness's gpt-4o-mini prices, each call rounded up once.
        Dictionary<string, string?> settings = EngineHarness.DefaultSettings();
        decimal input = decimal.Parse(settings["Models:Entries:gpt-4o-mini:InputPerMTok"]!, System.Globalization.CultureInfo.InvariantCulture);
        decimal cached = decimal.Parse(settings["Models:Entries:gpt-4o-mini:CachedInputPerMTok"]!, System.Globalization.CultureInfo.InvariantCulture);
        decimal output = decimal.Parse(settings["Models:Entries:gpt-4o-mini:OutputPerMTok"]!, System.Globalization.CultureInfo.InvariantCulture);
        long[] expected = [.. reported.Select(u => (long)Math.Ceiling(((u.InputTokenCount!.Value - u.CachedInputTokenCount!.Value) * input) + (u.CachedInputTokenCount.Value * cached) + (u.OutputTokenCount!.Value * output)))];
        Assert.Equal(7, expected.Length);
        Assert.Contains(reported, u => u.CachedInputTokenCount > 0);

        Assert.Equal(expected, harness.Store.Ledger.Select(e => e.Cost.Value));
        Assert.All(harness.Store.Ledger, e => Assert.False(e.Estimated));
        Assert.All(harness.Store.Ledger, e => Assert.Equal("2026-11-28", e.PriceVersion));
        UsageTotals total = await harness.Store.SumAsync(new LedgerFilter(), CancellationToken.None);
        Assert.Equal(expected.Sum(), total.Cost.Value);
        Assert.Equal(reported.Sum(u => u.InputTokenCount!.Value), total.InputTokens);
        Assert.Equal(reported.Sum(u => u.OutputTokenCount!.Value), total.OutputTokens);
        var byConversation = await harness.Store.GroupAsync(UsageGrouping.Conversation, new LedgerFilter(), CancellationToken.None);
        Assert.Equal(expected.Sum(), byConversation.Sum(r => r.Totals.Cost.Value));
    }

    [Fact]
    public void ModelPrices_CachedInput_PricedAtTheCachedPrice()
    {
        // (2000 − 1024) × 0.15 + 1024 × 0.075 + 500 × 0.60 = 146.4 + 76.8 + 300 = 523.2 µUSD → 524 (rounded up once).
        Assert.Equal(524, new ModelPrices(0.15m, 0.075m, 0.60m, 0m, "2026-11-28").ChatCost(2_000, 1_024, 500).Value);
    }

    [Fact]
    public async Task Engine_ServerOmitsUsage_CostEstimatedFromOwnCount()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("hello world"));

        await harness.AskAsync("hi");

        LedgerEntry entry = Assert.Single(harness.Store.Ledger);
        Assert.True(entry.Estimated);
        Assert.Equal(2, entry.OutputTokens);
        Assert.True(entry.InputTokens > 10, "the prompt count includes the system prompt and framing");
        Assert.True(entry.Cost.Value > 0);
    }

    [Fact]
    public async Task Engine_UnlistedModel_WorksWithEstimatedCost()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["OpenAI:Model"] = "my-local-llama");
        harness.Model.Responder = (_, _) => Task.FromResult(Reply("ok", 100, 10));

        Assert.Equal("ok", await harness.AskAsync("hi"));

        LedgerEntry entry = Assert.Single(harness.Store.Ledger);
        Assert.True(entry.Estimated);
        Assert.Equal("unlisted", entry.PriceVersion);
        Assert.Equal("my-local-llama", harness.Model.ChatPrompts[0].Model);
    }

    [Fact]
    public async Task Engine_ContextLengthExceeded_TrimsAndRetriesOnce()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Engine:ContextTokenCap"] = "4000");
        for (int i = 0; i < 6; i++)
        {
            await harness.AskAsync("message number " + i + " " + new string('x', 200));
        }

        int calls = 0;
        harness.Model.Responder = (p, _) =>
        {
            if (p.IsSummary)
            {
                return Task.FromResult(new FakeReply("short summary"));
            }

            return Task.FromResult(Interlocked.Increment(ref calls) == 1
                ? new FakeReply("", Error: new ModelCallException(ModelErrorKind.ContextTooLong, "HTTP 400 context_length_exceeded") { Status = 400 })
                : new FakeReply("fits now"));
        };

        string answer = await harness.AskAsync("and now?");

        Assert.Equal("fits now", answer);
        Assert.Equal(2, calls);
        IReadOnlyList<Testing.Engine.RecordedPrompt> prompts = harness.Model.ChatPrompts;
        Assert.True(prompts[^1].Messages.Count < prompts[^2].Messages.Count, "the retry must send a shorter prompt");
    }

    [Fact]
    public async Task Engine_ContextLengthExceededTwice_ClearReplyNoThirdCall()
    {
        await using EngineHarness harness = EngineHarness.Create();
        int calls = 0;
        harness.Model.Responder = (p, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new FakeReply("", Error: new ModelCallException(ModelErrorKind.ContextTooLong, "too long")));
        };

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message("hi"));

        Assert.Equal(2, calls);
        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains("/reset", reply.Text, StringComparison.Ordinal);
        Assert.Empty(harness.Store.Ledger);
    }

    [Theory]
    [InlineData(ModelErrorKind.QuotaExhausted, "run out of credit")]
    [InlineData(ModelErrorKind.RateLimited, "try again in a minute")]
    [InlineData(ModelErrorKind.AuthFailed, "API key")]
    public async Task Engine_ModelError_BecomesShortClearReply(ModelErrorKind kind, string expected)
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("", Error: new ModelCallException(kind, "HTTP 4xx details sk-secret")));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message("hi"));

        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", reply.Text, StringComparison.Ordinal);

        // The conversation goes on afterwards.
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("back"));
        Assert.Equal("back", await harness.AskAsync("again"));
    }
}
