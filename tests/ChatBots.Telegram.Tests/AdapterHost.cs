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

/// <summary>A real generic host running only the Telegram adapter (via AddTelegramAdapter) against the fake Bot API.</summary>
internal sealed class AdapterHost : IAsyncDisposable
{
    private AdapterHost(IHost host) => Host = host;

    public IHost Host { get; }

    public TelegramStatus Status => Host.Services.GetRequiredService<TelegramStatus>();

    public FakeLogCollector Logs => Host.Services.GetFakeLogCollector();

    public static async Task<AdapterHost> StartAsync(
        FakeTelegramBotApi api,
        IConversationEngine engine,
        IKeyValueStore store,
        TimeProvider time,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
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
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(time);
        services?.Invoke(builder.Services);
        builder.AddTelegramAdapter();
        IHost host = builder.Build();
        await host.StartAsync();
        return new AdapterHost(host);
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
