using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// A real generic host running the Telegram adapter (via AddTelegramAdapter) against the fake Bot API, with a fake
/// engine, or the real engine (registered last, as the host does, so it stops first).
/// </summary>
internal sealed class AdapterHost : IAsyncDisposable
{
    private bool _stopped;

    private AdapterHost(IHost host) => Host = host;

    public IHost Host { get; }

    public TelegramStatus Status => Host.Services.GetRequiredService<TelegramStatus>();

    public FakeLogCollector Logs => Host.Services.GetFakeLogCollector();

    public static Task<AdapterHost> StartAsync(
        FakeTelegramBotApi api,
        IConversationEngine engine,
        IKeyValueStore store,
        TimeProvider time,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null) =>
        StartAsync(api, b => b.Services.AddSingleton(engine), store, time, settings, services);

    /// <summary>Starts the adapter in front of the real engine over <paramref name="engine"/>'s fakes.</summary>
    public static Task<AdapterHost> StartAsync(
        FakeTelegramBotApi api,
        RealEngine engine,
        IKeyValueStore store,
        TimeProvider time,
        IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(RealEngine.Settings());
        foreach (KeyValuePair<string, string?> pair in settings ?? new Dictionary<string, string?>())
        {
            all[pair.Key] = pair.Value;
        }

        return StartAsync(api, engine.AddTo, store, time, all, null);
    }

    private static async Task<AdapterHost> StartAsync(
        FakeTelegramBotApi api,
        Action<HostApplicationBuilder> addEngine,
        IKeyValueStore store,
        TimeProvider time,
        IDictionary<string, string?>? settings,
        Action<IServiceCollection>? services)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var config = new Dictionary<string, string?>
        {
            ["Telegram:BotToken"] = api.Token,
            ["Telegram:ApiBaseUrl"] = api.BaseUrl,
            ["Telegram:PollTimeout"] = "00:00:02",
        };
        foreach (KeyValuePair<string, string?> pair in settings ?? new Dictionary<string, string?>())
        {
            config[pair.Key] = pair.Value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.AddFakeLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(time);
        services?.Invoke(builder.Services);
        builder.AddTelegramAdapter();
        addEngine(builder);
        IHost host = builder.Build();
        await host.StartAsync();
        return new AdapterHost(host);
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Host.StopAsync(timeout.Token);
    }

    /// <summary>
    /// Stops as when the host's shutdown timeout has already run out: work in flight is abandoned at once (and what the
    /// engine had queued is dropped without finishing, so disposing does not stop a second time).
    /// </summary>
    public async Task StopAbruptlyAsync()
    {
        _stopped = true;
        await Host.StopAsync(new CancellationToken(canceled: true));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        Host.Dispose();
    }
}
