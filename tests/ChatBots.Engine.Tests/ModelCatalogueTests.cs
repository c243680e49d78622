using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Window;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Tests;

public sealed class ModelCatalogueTests
{
    private static string ShippedCatalogue => Path.Combine(AppContext.BaseDirectory, "config", "models.json");

    /// <summary>The engine's registrations over the shipped config/models.json plus <paramref name="extra"/>.</summary>
    private static ServiceProvider Services(Dictionary<string, string?>? extra = null, bool shipped = true)
    {
        var builder = new ConfigurationBuilder();
        if (shipped)
        {
            builder.AddJsonFile(ShippedCatalogue, optional: false);
        }

        builder.AddInMemoryCollection(extra ?? []);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(builder.Build());
        services.AddLogging(b => b.AddFakeLogging());
        services.AddConversationEngine();
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("gpt-4o-mini", "gpt-4o-mini", 128_000)]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini", 128_000)]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o", 128_000)]
    [InlineData("GPT-4O", "gpt-4o", 128_000)]
    [InlineData("gpt-4-0613", "gpt-4", 8_192)]
    [InlineData("gpt-3.5-turbo-0125", "gpt-3.5-turbo", 16_385)]
    [InlineData("gpt-5-mini-2025-08-07", "gpt-5-mini", 400_000)]
    [InlineData("gpt-5-2025-08-07", "gpt-5", 400_000)]
    [InlineData("gpt-4.1-nano-2025-04-14", "gpt-4.1-nano", 1_047_576)]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::abc123", "gpt-4o-mini", 128_000)]
    [InlineData("ft:gpt-4.1-2025-04-14:org:weather:B7R9VjQd", "gpt-4.1", 1_047_576)]
    public void Resolve_ListedIdOrSnapshotOrFineTune_UsesThatEntry(string id, string entry, int window)
    {
        using ServiceProvider services = Services();
        ModelCatalogue catalogue = services.GetRequiredService<ModelCatalogue>();
        var options = services.GetRequiredService<IOptions<ModelCatalogueOptions>>().Value;

        ModelInfo info = catalogue.Resolve(id);

        Assert.True(info.IsListed);
        Assert.Equal(window, info.ContextWindow);
        Assert.Equal(options.Entries[entry].InputPerMTok, info.Prices.InputPerMTok);
        Assert.Equal(options.Entries[entry].OutputPerMTok, info.Prices.OutputPerMTok);
        Assert.Equal(id.StartsWith("ft:", StringComparison.Ordinal), info.PricesEstimated);
    }

    [Theory]
    [InlineData("gpt-4o-2024-05-13", 5.00, 15.00, 128_000)] // the first gpt-4o snapshot kept its launch prices
    [InlineData("gpt-4o-2024-08-06", 2.50, 10.00, 128_000)]
    [InlineData("gpt-4o", 2.50, 10.00, 128_000)]
    [InlineData("gpt-4-0613", 30.00, 60.00, 8_192)]
    [InlineData("gpt-4-32k", 60.00, 120.00, 32_768)]
    [InlineData("gpt-4-32k-0613", 60.00, 120.00, 32_768)]
    [InlineData("gpt-3.5-turbo-0613", 1.50, 2.00, 4_096)]
    [InlineData("gpt-3.5-turbo-16k", 3.00, 4.00, 16_385)]
    [InlineData("gpt-3.5-turbo-16k-0613", 3.00, 4.00, 16_385)]
    [InlineData("gpt-3.5-turbo-1106", 1.00, 2.00, 16_385)]
    [InlineData("gpt-3.5-turbo-0125", 0.50, 1.50, 16_385)]
    public void Resolve_SnapshotWithItsOwnPublishedPrice_NotPricedAsItsAlias(string id, double input, double output, int window)
    {
        using ServiceProvider services = Services();

        ModelInfo info = services.GetRequiredService<ModelCatalogue>().Resolve(id);

        Assert.True(info.IsListed);
        Assert.Equal((decimal)input, info.Prices.InputPerMTok);
        Assert.Equal((decimal)output, info.Prices.OutputPerMTok);
        Assert.Equal(window, info.ContextWindow);
    }

    [Theory]
    [InlineData("gpt-4.5-preview")] // gpt-4 (cl100k, 8K, $30/$60) must not catch it
    [InlineData("gpt-4o-whatever")]
    [InlineData("gpt-4omni")]
    [InlineData("gpt-5.6-x")] // gpt-5 must not catch it
    [InlineData("gpt-5-")]
    [InlineData("gpt-6")]
    [InlineData("ft:")]
    [InlineData("ft:llama3:acme::x")]
    [InlineData("gpt-4-1106-preview")] // not a date suffix: gpt-4's $30/$60 and 8K would be wrong for it
    [InlineData("gpt-4-turbo-preview")]
    [InlineData("gpt-4-06130")]
    [InlineData("gpt-4o-2024-08")]
    [InlineData("gpt-4o-2024-08-06-x")]
    [InlineData("gpt-5-2025-08-07x")]
    public void Resolve_IdThatOnlySharesAPrefix_IsUnlistedWithConservativeDefaults(string id)
    {
        using ServiceProvider services = Services();

        ModelInfo info = services.GetRequiredService<ModelCatalogue>().Resolve(id);

        Assert.False(info.IsListed);
        Assert.Equal(8_192, info.ContextWindow);
        Assert.Equal(10m, info.Prices.InputPerMTok);
        Assert.Equal(40m, info.Prices.OutputPerMTok);
        Assert.Equal(TokenEncodings.O200kBase, info.Encoding);
    }

    [Fact]
    public void Resolve_TaggedVariantOfAListedLocalModel_UsesItsEntry()
    {
        using ServiceProvider services = Services(new()
        {
            ["Models:Entries:llama3:ContextWindow"] = "8192",
            ["Models:Entries:llama3:MaxOutputTokens"] = "2048",
        });
        ModelCatalogue catalogue = services.GetRequiredService<ModelCatalogue>();

        Assert.True(catalogue.Resolve("llama3:latest").IsListed);
        Assert.True(catalogue.Resolve("llama3:8b-instruct-q4").IsListed);
        Assert.False(catalogue.Resolve("llama3.1").IsListed);
        Assert.False(catalogue.IsListed("llama3-gradient"));
    }

    [Fact]
    public void Resolve_FineTune_WarnsOnceThatItsPricesAreEstimates()
    {
        using ServiceProvider services = Services();
        ModelCatalogue catalogue = services.GetRequiredService<ModelCatalogue>();

        catalogue.Resolve("ft:gpt-4o-mini-2024-07-18:acme::abc123");
        catalogue.Resolve("ft:gpt-4o-mini-2024-07-18:acme::abc123");

        FakeLogRecord warning = Assert.Single(services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 2002);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("gpt-4o-mini", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedCatalogue_ListsEveryCurrentModelOfTheReference_AndPassesValidation()
    {
        using ServiceProvider services = Services();

        // Resolving the options runs every validator: a bad entry would throw here.
        ModelCatalogueOptions options = services.GetRequiredService<IOptions<ModelCatalogueOptions>>().Value;
        ModelCatalogue catalogue = services.GetRequiredService<ModelCatalogue>();

        string[] chat = ["gpt-6.2-astra", "gpt-6.2-sol", "gpt-6.1-terra", "gpt-6-luna", "gpt-5.6-luna", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"];
        Assert.All(chat, id => Assert.True(options.Entries.ContainsKey(id), id));
        Assert.All(["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-transcribe"], id => Assert.True(options.Entries[id].AudioPerMinute > 0, id));

        // Input limits and long-context pricing where the reference states them.
        Assert.Equal(922_000, catalogue.Resolve("gpt-6-luna").MaxInputTokens);
        Assert.All(["gpt-5", "gpt-5-mini", "gpt-5-nano"], id => Assert.Equal(272_000, catalogue.Resolve(id).MaxInputTokens));
        Assert.All(["gpt-6.2-astra", "gpt-6.2-sol", "gpt-6.1-terra", "gpt-6-luna"], id =>
        {
            ModelPrices prices = catalogue.Resolve(id).Prices;
            Assert.Equal(272_000, prices.LongContextThreshold);
            Assert.Equal(2m, prices.LongContextInputMultiplier);
            Assert.Equal(1.5m, prices.LongContextOutputMultiplier);
        });
        Assert.Null(catalogue.Resolve("gpt-4o").Prices.LongContextThreshold);
    }

    [Fact]
    public void ModelPrices_PromptAboveTheLongContextThreshold_BillsTheWholeRequestAtTheHigherTier()
    {
        // gpt-6-luna: $0.10 input, $0.01 cached, $0.50 output per 1M tokens; above 272K input 2× input, 1.5× output.
        var prices = new ModelPrices(0.10m, 0.01m, 0.50m, 0m, "2026-11-28")
        {
            LongContextThreshold = 272_000,
            LongContextInputMultiplier = 2m,
            LongContextOutputMultiplier = 1.5m,
        };

        // At the threshold: ordinary prices. 272,000 × 0.10 + 1,000 × 0.50 = 27,200 + 500 µUSD.
        Assert.Equal(27_700, prices.ChatCost(272_000, 0, 1_000).Value);
        // One token above: (272,001 × 0.10) × 2 + 1,000 × 0.75 = 54,400.2 + 750 → 55,151 (rounded up once).
        Assert.Equal(55_151, prices.ChatCost(272_001, 0, 1_000).Value);
        // With cached input: ((300,000 − 100,000) × 0.10 + 100,000 × 0.01) × 2 + 2,000 × 0.75 = 42,000 + 1,500.
        Assert.Equal(43_500, prices.ChatCost(300_000, 100_000, 2_000).Value);
        Assert.Equal(0.75m, prices.OutputPerMTokFor(272_001));
        Assert.Equal(0.50m, prices.OutputPerMTokFor(272_000));

        // Without a tier nothing changes.
        var plain = new ModelPrices(0.10m, 0.01m, 0.50m, 0m, "2026-11-28");
        Assert.Equal(30_000 + 500, plain.ChatCost(300_000, 0, 1_000).Value);
    }

    [Fact]
    public void WindowBudget_ModelWithAnInputLimit_NeverExceedsIt()
    {
        using ServiceProvider services = Services();
        ModelCatalogue catalogue = services.GetRequiredService<ModelCatalogue>();
        var options = new EngineOptions { ContextTokenCap = 2_000_000, MaxReplyTokens = 1_024, SafetyMarginTokens = 128 };

        // gpt-5: a 400,000 window, of which at most 272,000 input.
        Assert.Equal(272_000 - 128, WindowBudget.For(catalogue.Resolve("gpt-5"), options).Budget);
        // gpt-6-luna: 1.05M window, 922,000 input.
        Assert.Equal(922_000 - 128, WindowBudget.For(catalogue.Resolve("gpt-6-luna"), options).Budget);
        // gpt-4.1 has no separate input limit: the window less the reply and margin.
        Assert.Equal(1_047_576 - 1_024 - 128, WindowBudget.For(catalogue.Resolve("gpt-4.1"), options).Budget);
        // A learned drift comes off the input limit too.
        Assert.Equal(272_000 - 128 - 500, WindowBudget.For(catalogue.Resolve("gpt-5"), options, extraMargin: 500).Budget);
    }

    [Fact]
    public void Validation_BadEntries_FailNamingEachKey()
    {
        using ServiceProvider services = Services(
            new()
            {
                ["Models:PricesAsOf"] = "2026-11-28",
                ["Models:Entries:gpt-x:ContextWindow"] = "8192",
                ["Models:Entries:gpt-x:MaxOutputTokens"] = "1024",
                ["Models:Entries:gpt-x:InputPerMTok"] = "-1",
                ["Models:Entries:gpt-y:MaxOutputTokens"] = "1024",
                ["Models:Entries:gpt-z:ContextWindow"] = "4096",
                ["Models:Entries:gpt-z:MaxOutputTokens"] = "4096",
                ["Models:Entries:gpt-w:Encoding"] = "p50k_base",
                ["Models:Entries:gpt-w:ContextWindow"] = "4096",
                ["Models:Entries:gpt-w:MaxOutputTokens"] = "1024",
                ["Models:Entries:gpt-v:ContextWindow"] = "4096",
                ["Models:Entries:gpt-v:MaxOutputTokens"] = "1024",
                ["Models:Entries:gpt-v:MaxInputTokens"] = "5000",
                ["Models:Entries:gpt-v:LongContextInputMultiplier"] = "2",
                ["Models:Entries:whisper-9:AudioPerMinute"] = "0.006",
                ["Models:Unknown:ContextWindow"] = "0",
            },
            shipped: false);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ModelCatalogueOptions>>().Value);

        string failures = string.Join("\n", error.Failures);
        Assert.Contains("Models:Entries:gpt-x:InputPerMTok must be ≥ 0", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Entries:gpt-y:ContextWindow must be > 0", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Entries:gpt-z:MaxOutputTokens must be > 0 and below Models:Entries:gpt-z:ContextWindow (4096)", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Entries:gpt-w:Encoding must be o200k_base or cl100k_base", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Entries:gpt-v:MaxInputTokens must be > 0 and at most", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Entries:gpt-v:LongContextInputMultiplier needs a LongContextThreshold", failures, StringComparison.Ordinal);
        Assert.Contains("Models:Unknown:ContextWindow must be > 0", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("whisper-9", failures, StringComparison.Ordinal);
        Assert.Equal(7, error.Failures.Count());
    }
}
