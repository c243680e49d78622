using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Discord.Tests;

/// <summary>
/// What a restart does to messages: Discord replays every event after the sequence the host persisted, so an answered
/// message must not be answered again and an unanswered one must come back.
/// </summary>
public sealed class ReplayTests
{
    private const string DmChannel = "630000000000000001";
    private const string SessionKey = "discord:session:0";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task Adapter_AnsweredMessageReplayedAfterCrash_NotAnsweredAgain()
    {
        var store = new FreezableStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(store: store);
        await env.WaitReadyAsync();
        await DiscordTestHost.WaitUntilAsync(() => store.Peek(SessionKey) is not null);

        // The process "crashes" after READY was saved: no later sequence (heartbeat, shutdown) reaches the store.
        store.Freeze("discord:session:");
        string id = await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "what is 2+2?"));
        await env.WaitForPostAsync(DmChannel);
        await DiscordTestHost.WaitUntilAsync(() => store.Peek("discord:answered:" + id) is not null);
        await env.Host.StopAsync();
        store.Thaw();

        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env);
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
        await restarted.WaitForLogAsync(3016, r => DiscordTestHost.Field(r, "Id") == id);

        // Resumed at READY, so Discord replayed the message; the user still sees one answer.
        Assert.Equal(1, resume.D!["seq"]!.GetValue<long>());
        Assert.Single(env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages"));
        Assert.Single(env.Engine.Received, m => m.MessageId == id);
    }

    [Fact]
    public async Task Adapter_ReplayAfterCrashBeforeMarkerWasSaved_ResentAnswerCarriesSameNonceAndDiscordKeepsOne()
    {
        var store = new FreezableStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(store: store);
        await env.WaitReadyAsync();
        await DiscordTestHost.WaitUntilAsync(() => store.Peek(SessionKey) is not null);

        // The crash comes so early that not even the answered marker was saved.
        store.Freeze("discord:session:");
        store.Freeze("discord:answered:");
        string id = await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "tell me once"));
        RecordedRequest first = await env.WaitForPostAsync(DmChannel);
        await env.Engine.WhenIdleAsync(); // the sink is done (and its marker write dropped) before the store thaws
        await env.Host.StopAsync();
        store.Thaw();

        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env);
        await DiscordTestHost.WaitUntilAsync(() => env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages").Count == 2);

        // The engine re-sent the stored answer (by design), but as the same logical part: same nonce, enforce_nonce, and
        // Discord answers with the message it already created.
        IReadOnlyList<RecordedRequest> posts = env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages");
        Assert.Equal(2, env.Engine.Received.Count(m => m.MessageId == id));
        Assert.Equal(id + "a0", first.Json!["nonce"]!.GetValue<string>());
        Assert.All(posts, p => Assert.Equal(id + "a0", p.Json!["nonce"]!.GetValue<string>()));
        Assert.All(posts, p => Assert.True(p.Json!["enforce_nonce"]!.GetValue<bool>()));
        Assert.Single(posts.Select(p => JsonNode.Parse(p.ResponseBody!)!["id"]!.GetValue<string>()).Distinct());
    }

    [Fact]
    public async Task Adapter_MessageAbandonedAtShutdown_ReplayedAfterRestartAndAnsweredOnce()
    {
        var store = new FreezableStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(store: store);
        CancellationToken stopping = env.Stopping;

        // The engine is still working when shutdown runs out of time: it gives up and reports done without a reply.
        env.Engine.Responder = async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite, stopping);
            return "never sent";
        };
        await env.WaitReadyAsync();
        long seq = await env.Discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DmChannel, "are you there?"));
        await DiscordTestHost.WaitUntilAsync(() => env.Engine.Received.Count == 1);
        string id = env.Engine.Received[0].MessageId!;
        await env.Host.StopAsync();
        await env.WaitForLogAsync(3017, r => DiscordTestHost.Field(r, "Id") == id);

        env.Engine.Responder = (m, _) => Task.FromResult($"echo: {m.Text}");
        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env);
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
        RecordedRequest reply = await env.WaitForPostAsync(DmChannel);

        // The persisted sequence stopped short of the unanswered message, so the resumed session brought it back.
        Assert.Equal(seq - 1, resume.D!["seq"]!.GetValue<long>());
        Assert.Equal("echo: are you there?", reply.Json!["content"]!.GetValue<string>());
        Assert.Equal(id, reply.Json["message_reference"]!["message_id"]!.GetValue<string>());
        await DiscordTestHost.WaitUntilAsync(() => store.Peek("discord:answered:" + id) is not null);
        Assert.Single(env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages"));
        Assert.Equal(2, env.Engine.Received.Count(m => m.MessageId == id));
    }

    [Fact]
    public async Task Adapter_MessageRefusedBecauseEngineStopping_NoNoticeAndPersistedSequenceStaysBelowIt()
    {
        var store = new InMemoryKeyValueStore();
        var engine = new StoppingEngine();
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = DiscordTestHost.Build(discord, null, engine, store, TimeProvider.System);
        await host.StartAsync();
        FakeGatewayConnection connection = await discord.WaitForConnectionAsync(0, Guard);
        await connection.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => discord.ActiveConnection == connection);

        long seq = await discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DmChannel, "during shutdown"));
        await DiscordTestHost.WaitUntilAsync(() => engine.Refused == 1);
        int beats = connection.HeartbeatCount;
        await DiscordTestHost.WaitUntilAsync(() => connection.HeartbeatCount >= beats + 2);

        // The heartbeats saved the session, but only up to the message before it: a restart gets it replayed.
        string session = (await store.GetAsync(SessionKey, CancellationToken.None))!;
        Assert.Equal(seq - 1, JsonNode.Parse(session)!["seq"]!.GetValue<long>());
        Assert.Empty(discord.RequestsTo("POST", $"channels/{DmChannel}/messages"));
        await host.StopAsync();
    }
}
