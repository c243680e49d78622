using ChatBots.Engine;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Processing;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Engine.Tests;

/// <summary>The real engine over hand-written fakes: an in-memory store, a scripted model and a fake clock.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EngineHarness(ServiceProvider services, FakeChatClient model, InMemoryConversationStore store, FakeTimeProvider time)
    {
        Transcriber = services.GetRequiredService<FakeTranscriber>();
        KeyValues = services.GetRequiredService<InMemoryKeyValueStore>();
        _services = services;
        Model = model;
        Store = store;
        Time = time;
        Engine = services.GetRequiredService<ConversationEngine>();
    }

    public FakeChatClient Model { get; }

    public FakeTranscriber Transcriber { get; }

    public InMemoryKeyValueStore KeyValues { get; }

    public InMemoryConversationStore Store { get; }

    public FakeTimeProvider Time { get; }

    public ConversationEngine Engine { get; }

    /// <summary>Every log record the engine wrote.</summary>
    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["OpenAI:Model"] = "gpt-4o-mini",
        ["OpenAI:SummaryModel"] = "gpt-4o-mini",
        ["Models:PricesAsOf"] = "2026-11-28",
        ["Models:Entries:gpt-4o-mini:Encoding"] = "o200k_base",
        ["Models:Entries:gpt-4o-mini:ContextWindow"] = "128000",
        ["Models:Entries:gpt-4o-mini:MaxOutputTokens"] = "16384",
        ["Models:Entries:gpt-4o-mini:InputPerMTok"] = "0.15",
        ["Models:Entries:gpt-4o-mini:CachedInputPerMTok"] = "0.075",
        ["Models:Entries:gpt-4o-mini:OutputPerMTok"] = "0.60",
        ["Models:Entries:gpt-4o-mini-transcribe:AudioPerMinute"] = "0.003",
        ["Models:Entries:whisper-1:AudioPerMinute"] = "0.006",
        ["Models:Entries:gpt-4:Encoding"] = "cl100k_base",
        ["Models:Entries:gpt-4:ContextWindow"] = "8192",
        ["Models:Entries:gpt-4:MaxOutputTokens"] = "4096",
        ["Models:Entries:gpt-4:InputPerMTok"] = "30",
        ["Models:Entries:gpt-4:OutputPerMTok"] = "60",
        ["Engine:BotName"] = "TestBot",
        ["Engine:IdleLaneTimeout"] = "00:10:00",
    };

    public static EngineHarness Create(Action<Dictionary<string, string?>>? configure = null, InMemoryConversationStore? store = null)
    {
        Dictionary<string, string?> settings = DefaultSettings();
        configure?.Invoke(settings);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var model = new FakeChatClient();
        store ??= new InMemoryConversationStore();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IConversationStore>(store);
        services.AddSingleton<ILedgerStore>(store);
        services.AddSingleton<IChatClientFactory>(new FakeChatClientFactory(model));
        services.AddSingleton<FakeTranscriber>();
        services.AddSingleton<ITranscriber>(sp => sp.GetRequiredService<FakeTranscriber>());
        services.AddSingleton<InMemoryKeyValueStore>();
        services.AddSingleton<IKeyValueStore>(sp => sp.GetRequiredService<InMemoryKeyValueStore>());
        services.AddConversationEngine();
        return new EngineHarness(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), model, store, time);
    }

    public static IncomingMessage Message(string text, string chat = "1", string user = "42", string name = "Alice", bool group = false, Platform platform = Platform.Telegram) =>
        new(new ConversationKey(platform, chat), user, name, text) { IsGroup = group, MessageId = Guid.NewGuid().ToString("N") };

    /// <summary>Sends a message and waits until the engine has finished with it.</summary>
    public async Task<RecordingReplySink> SendAsync(IncomingMessage message)
    {
        var sink = new RecordingReplySink();
        Assert.Equal(EnqueueResult.Accepted, Engine.Enqueue(message, sink));
        await sink.WaitAsync();
        return sink;
    }

    public async Task<string> AskAsync(string text, string chat = "1", string user = "42")
    {
        RecordingReplySink sink = await SendAsync(Message(text, chat, user));
        return string.Join("\n", sink.Replies.Select(r => r.Text));
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
