using ChatBots.Engine;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// The real conversation engine over hand-written fakes (a scripted model and transcriber, an in-memory conversation
/// store), for tests where what the engine does matters: replays answered from the store, lane capacity, cancellation.
/// Share <see cref="Store"/> between two instances to restart the engine with its history.
/// </summary>
internal sealed class RealEngine
{
    public FakeChatClient Model { get; init; } = new();

    public FakeTranscriber Transcriber { get; init; } = new();

    public InMemoryConversationStore Store { get; init; } = new();

    /// <summary>The model prompts that were not summaries (one per answered message when nothing is replayed).</summary>
    public IReadOnlyList<RecordedPrompt> ChatCalls => Model.ChatPrompts;

    public static Dictionary<string, string?> Settings() => new()
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
        ["Engine:BotName"] = "TestBot",
        // Room for long answers in the history, so no eviction folds away the turns a replay is answered from.
        ["Engine:ContextTokenCap"] = "100000",
        ["Engine:IdleLaneTimeout"] = "00:10:00",
    };

    public void AddTo(HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConversationStore>(Store);
        builder.Services.AddSingleton<ILedgerStore>(Store);
        builder.Services.AddSingleton<IChatClientFactory>(new FakeChatClientFactory(Model));
        builder.Services.AddSingleton<ITranscriber>(Transcriber);
        builder.AddConversationEngine();
    }
}
