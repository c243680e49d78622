using ChatBots.Engine;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using ChatBots.Testing.Engine;
using ChatBots.Testing.OpenAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.OpenAI.Tests;

/// <summary>
/// The real conversation engine over the real OpenAI chat client factory, talking HTTP to a <see cref="FakeOpenAIServer"/>,
/// with in-memory stores and a fake clock shared by the engine, the retry policy and the server.
/// </summary>
internal sealed class EngineOverOpenAI : IAsyncDisposable
{
    /// <summary>The chat model; the summary model is another id so their requests can be told apart.</summary>
    public const string ChatModel = "gpt-4o-mini";

    public const string SummaryModel = "gpt-4.1-nano";

    private readonly IHost _host;

    private EngineOverOpenAI(IHost host, InMemoryConversationStore store)
    {
        _host = host;
        Store = store;
    }

    public InMemoryConversationStore Store { get; }

    public IConversationEngine Engine => _host.Services.GetRequiredService<IConversationEngine>();

    public FakeLogCollector Logs => _host.Services.GetFakeLogCollector();

    public static async Task<EngineOverOpenAI> StartAsync(FakeOpenAIServer server, FakeTimeProvider time, Action<Dictionary<string, string?>>? configure = null)
    {
        Dictionary<string, string?> settings = OpenAITestHost.DefaultSettings(server);
        settings["OpenAI:Model"] = ChatModel;
        settings["OpenAI:SummaryModel"] = SummaryModel;
        settings["Models:PricesAsOf"] = "2026-11-28";
        settings["Models:Entries:gpt-4o-mini:ContextWindow"] = "128000";
        settings["Models:Entries:gpt-4o-mini:MaxOutputTokens"] = "16384";
        settings["Models:Entries:gpt-4o-mini:InputPerMTok"] = "0.15";
        settings["Models:Entries:gpt-4o-mini:CachedInputPerMTok"] = "0.075";
        settings["Models:Entries:gpt-4o-mini:OutputPerMTok"] = "0.60";
        settings["Models:Entries:gpt-4.1-nano:ContextWindow"] = "1047576";
        settings["Models:Entries:gpt-4.1-nano:MaxOutputTokens"] = "32768";
        settings["Models:Entries:gpt-4.1-nano:InputPerMTok"] = "0.10";
        settings["Models:Entries:gpt-4.1-nano:OutputPerMTok"] = "0.40";
        settings["Models:Entries:gpt-4o-mini-transcribe:AudioPerMinute"] = "0.003";
        settings["Engine:BotName"] = "TestBot";
        configure?.Invoke(settings);

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(time);
        var store = new InMemoryConversationStore();
        builder.Services.AddSingleton<IConversationStore>(store);
        builder.Services.AddSingleton<ILedgerStore>(store);
        builder.Services.AddSingleton<IKeyValueStore>(new InMemoryKeyValueStore());
        builder.AddOpenAIClients();
        builder.AddConversationEngine();
        IHost host = builder.Build();
        await host.StartAsync();
        return new EngineOverOpenAI(host, store);
    }

    public static IncomingMessage Message(string text) =>
        new(new ConversationKey(Platform.Telegram, "1"), "42", "Alice", text) { MessageId = Guid.NewGuid().ToString("N") };

    /// <summary>Sends a message and waits until the engine has finished with it.</summary>
    public async Task<RecordingReplySink> SendAsync(string text)
    {
        var sink = new RecordingReplySink();
        Assert.Equal(EnqueueResult.Accepted, Engine.Enqueue(Message(text), sink));
        await sink.WaitAsync();
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
