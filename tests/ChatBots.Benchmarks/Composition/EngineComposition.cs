using ChatBots.Engine;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Processing;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Benchmarks.Composition;

/// <summary>
/// The real engine composed the way the host composes it (<c>AddConversationEngine</c> over the committed
/// <c>config/models.json</c> then <c>config/appsettings.json</c>, as <c>HostFactory.AddConfiguration</c> layers them), over a
/// chosen chat client, store and clock. The host's SQLite store and OpenAI clients are replaced by the given ones.
/// No logging provider: the benchmarks measure the engine, not a console.
/// </summary>
internal sealed class EngineComposition : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    private EngineComposition(ServiceProvider services, FakeTimeProvider time)
    {
        _services = services;
        Time = time;
        Engine = services.GetRequiredService<ConversationEngine>();
    }

    public ConversationEngine Engine { get; }

    /// <summary>The fake clock (not the engine's clock when composed with <c>systemClock</c>).</summary>
    public FakeTimeProvider Time { get; }

    public static string ModelsFile => Path.Combine(AppContext.BaseDirectory, "config", "models.json");

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>
    /// The overrides every benchmark composition starts from: the shipped model for chat and summaries (what
    /// <c>config/appsettings.json</c> says already; named here so a case can change them).
    /// </summary>
    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["OpenAI:Model"] = ShippedConfig.Model,
        ["OpenAI:SummaryModel"] = ShippedConfig.Model,
        ["Engine:BotName"] = "ChatBots",
    };

    public static EngineComposition Create(
        IChatClient client,
        IConversationStore store,
        ILedgerStore ledger,
        IDictionary<string, string?>? settings = null,
        bool systemClock = false)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonFile(ModelsFile, optional: false)
            .AddJsonFile(ShippedConfig.File, optional: false)
            .AddInMemoryCollection(settings ?? DefaultSettings())
            .Build();
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        // The throughput benchmark runs on the real clock: it measures the engine's timers as production runs them.
        services.AddSingleton(systemClock ? TimeProvider.System : time);
        services.AddSingleton(store);
        services.AddSingleton(ledger);
        services.AddSingleton<IChatClientFactory>(new SingleClientFactory(client));
        services.AddSingleton<ITranscriber>(new NoTranscriber());
        services.AddSingleton<IKeyValueStore>(new InMemoryKeyValueStore());
        services.AddConversationEngine();
        return new EngineComposition(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), time);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
