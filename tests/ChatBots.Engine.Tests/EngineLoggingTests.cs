using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Engine.Tests;

public sealed class EngineLoggingTests
{
    [Fact]
    public async Task Engine_ServerReportsAnotherIdForAnUnlistedModel_WarnsOnceAndPricesAsAsked()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["OpenAI:Model"] = "my-local-llama");
        harness.Model.ReportedModelId = "llama3:latest";

        for (int i = 0; i < 3; i++)
        {
            await harness.AskAsync("hi " + i);
        }

        FakeLogRecord warning = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 2001);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("my-local-llama", warning.Message, StringComparison.Ordinal);
        Assert.All(harness.Store.Ledger, e =>
        {
            // Kept for the record, priced by what was asked: the unlisted defaults, $10 / $40 per 1M: 10 × 10 + 5 × 40.
            Assert.Equal("llama3:latest", e.Model);
            Assert.Equal(300, e.Cost.Value);
            Assert.True(e.Estimated);
            Assert.Equal("unlisted", e.PriceVersion);
        });
    }

    [Fact]
    public async Task Engine_ServerReportsAListedIdForAnUnlistedModel_StillPricedAtWhatTheBudgetReserved()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["OpenAI:Model"] = "my-local-llama");
        harness.Model.ReportedModelId = "gpt-4o-mini";

        await harness.AskAsync("hi");

        LedgerEntry entry = Assert.Single(harness.Store.Ledger);
        Assert.Equal(300, entry.Cost.Value); // not gpt-4o-mini's 10 × 0.15 + 5 × 0.60
        Assert.True(entry.Estimated);
        Assert.Equal("unlisted", entry.PriceVersion);
    }

    [Theory]
    [InlineData(ModelErrorKind.AuthFailed, 401, "invalid_api_key")]
    [InlineData(ModelErrorKind.QuotaExhausted, 429, "insufficient_quota")]
    [InlineData(ModelErrorKind.RateLimited, 429, "rate_limit_exceeded")]
    [InlineData(ModelErrorKind.ServerError, 500, "server_error")]
    [InlineData(ModelErrorKind.Timeout, null, null)]
    public async Task Engine_RoutineModelFailure_LoggedWithStatusAndCodeButNoStackTrace(ModelErrorKind kind, int? status, string? code)
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("", Error: new ModelCallException(kind, "details") { Status = status, ErrorCode = code }));

        await harness.AskAsync("hi");

        FakeLogRecord record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id is 1006 or 1015);
        Assert.Equal(1006, record.Id.Id);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Null(record.Exception);
        Assert.Contains(kind.ToString(), record.Message, StringComparison.Ordinal);
        Assert.Contains(code ?? "none", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_UnexpectedModelFailure_LoggedWithItsException()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply("", Error: new ModelCallException(ModelErrorKind.BadRequest, "HTTP 400 odd") { Status = 400 }));

        await harness.AskAsync("hi");

        FakeLogRecord record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id is 1006 or 1015);
        Assert.Equal(1015, record.Id.Id);
        Assert.IsType<ModelCallException>(record.Exception);
    }

    [Fact]
    public async Task Engine_Replied_LogsTheCostAsMicroDollars()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.AskAsync("hi");

        // gpt-4o-mini: 10 in × $0.15 + 5 out × $0.60 per 1M = 4.5 µUSD, rounded up once.
        FakeLogRecord record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1001);
        Assert.Equal("5", record.GetStructuredStateValue("CostMicroUsd"));
        Assert.EndsWith("5 µUSD (gpt-4o-mini)", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_BudgetTooSmall_LogsLeftAndNeededAsMicroDollars()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.000001");

        await harness.AskAsync("hi");

        FakeLogRecord record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1016);
        Assert.Equal("1", record.GetStructuredStateValue("LeftMicroUsd"));
        Assert.True(long.Parse(record.GetStructuredStateValue("NeededMicroUsd")!, System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.Contains("has 1 µUSD left", record.Message, StringComparison.Ordinal);
    }
}
