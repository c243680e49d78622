using System.Text.Json.Nodes;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

/// <summary>A real generic host with the Discord adapter, the fake engine and store, pointed at a <see cref="FakeDiscordServer"/>.</summary>
internal sealed class DiscordTestHost : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly bool _ownsServer;

    private DiscordTestHost(FakeDiscordServer discord, IHost host, FakeConversationEngine engine, IKeyValueStore store, bool ownsServer = true)
    {
        Discord = discord;
        Host = host;
        Engine = engine;
        Store = store;
        _ownsServer = ownsServer;
    }

    public FakeDiscordServer Discord { get; }

    public IHost Host { get; }

    public FakeConversationEngine Engine { get; }

    public IKeyValueStore Store { get; }

    public DiscordStatus Status => Host.Services.GetRequiredService<DiscordStatus>();

    public SentinelService Sentinel => Host.Services.GetRequiredService<SentinelService>();

    public FakeLogCollector Logs => Host.Services.GetFakeLogCollector();

    /// <summary>Signalled when the host begins to stop, before any service's StopAsync: for engines cut short by shutdown.</summary>
    public CancellationToken Stopping => Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    public static async Task<DiscordTestHost> StartAsync(
        Action<FakeDiscordServer>? configureServer = null,
        IDictionary<string, string?>? settings = null,
        FakeConversationEngine? engine = null,
        IKeyValueStore? store = null,
        TimeProvider? time = null)
    {
        FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        configureServer?.Invoke(discord);
        IHost host = Build(discord, settings, engine ??= new FakeConversationEngine(), store ??= new InMemoryKeyValueStore(), time ?? TimeProvider.System);
        await host.StartAsync();
        return new DiscordTestHost(discord, host, engine, store);
    }

    /// <summary>
    /// A new host process on the same fake Discord, store and engine, as a supervisor's restart would start it; disposing
    /// it stops only this host (the server belongs to <paramref name="previous"/>).
    /// </summary>
    public static async Task<DiscordTestHost> RestartAsync(DiscordTestHost previous, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        IHost host = Build(previous.Discord, settings, previous.Engine, previous.Store, time ?? TimeProvider.System);
        await host.StartAsync();
        return new DiscordTestHost(previous.Discord, host, previous.Engine, previous.Store, ownsServer: false);
    }

    /// <summary>A host that is built but not started, for tests of single components resolved from DI.</summary>
    public static IHost Build(FakeDiscordServer discord, IDictionary<string, string?>? settings, IConversationEngine engine, IKeyValueStore store, TimeProvider time)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var config = new Dictionary<string, string?>
        {
            ["Discord:BotToken"] = FakeDiscordServer.BotToken,
            ["Discord:ApiBaseUrl"] = discord.ApiBaseUrl,
            ["Discord:ReconnectDelay"] = "00:00:00.050",
            ["Discord:MaxReconnectDelay"] = "00:00:00.400",
            ["Discord:MinIdentifyInterval"] = "00:00:00",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<SentinelService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SentinelService>());
        builder.AddDiscordAdapter();
        return builder.Build();
    }

    /// <summary>Waits for the first connection to be READY (identify received, READY sent).</summary>
    public async Task<FakeGatewayConnection> WaitReadyAsync()
    {
        FakeGatewayConnection connection = await Discord.WaitForConnectionAsync(0, Guard);
        await connection.WaitForOpAsync(2, Guard);
        await WaitUntilAsync(() => Status.IsConnected);
        return connection;
    }

    /// <summary>Sends a MESSAGE_CREATE and returns its id.</summary>
    public async Task<string> SendMessageAsync(JsonObject message)
    {
        await Discord.SendDispatchAsync("MESSAGE_CREATE", message);
        return message["id"]!.GetValue<string>();
    }

    public Task<RecordedRequest> WaitForPostAsync(string channelId, Func<RecordedRequest, bool>? predicate = null) =>
        Discord.WaitForRequestAsync(r => r.Method == "POST" && r.Path == $"channels/{channelId}/messages" && r.Status == 200 && (predicate?.Invoke(r) ?? true), Guard);

    internal DiscordRestClient Rest => Host.Services.GetRequiredService<DiscordRestClient>();

    /// <summary>Waits for a log event of this host with the id (and matching <paramref name="predicate"/>); returns it.</summary>
    public async Task<FakeLogRecord> WaitForLogAsync(int eventId, Func<FakeLogRecord, bool>? predicate = null)
    {
        FakeLogRecord? found = null;
        await WaitUntilAsync(() => (found = Logs.GetSnapshot().FirstOrDefault(r => r.Id.Id == eventId && (predicate?.Invoke(r) ?? true))) is not null);
        return found!;
    }

    /// <summary>The value of a structured log field.</summary>
    public static string? Field(FakeLogRecord record, string name) => record.StructuredState?.FirstOrDefault(kv => kv.Key == name).Value;

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Guard);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> at a time until <paramref name="condition"/> holds; returns how much
    /// fake time that took. A lower bound on it proves the code waited at least that long on its clock; stepping (rather
    /// than one jump) also covers a timer the code registers only after the test started moving the clock.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Guard);
        DateTimeOffset start = time.GetUtcNow();
        while (!condition())
        {
            time.Advance(step);
            await Task.Delay(5, cts.Token);
        }

        return time.GetUtcNow() - start;
    }

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await Host.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping timed out; disposal below still releases the sockets.
            }
        }

        Host.Dispose();
        if (_ownsServer)
        {
            await Discord.DisposeAsync();
        }
    }
}
