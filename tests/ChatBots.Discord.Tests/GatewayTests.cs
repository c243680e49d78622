using System.Reflection;
using System.Text.Json.Nodes;
using ChatBots.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Tests;

public sealed class GatewayTests
{
    private const string Channel = "500000000000000001";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task Gateway_HelloIdentifyReadyMention_RepliesWithEmptyAllowedMentionsAndReference()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection connection = await env.WaitReadyAsync();

        RecordedRequest gatewayBot = env.Discord.RequestsTo("GET", "gateway/bot").Single();
        Assert.Equal("Bot " + FakeDiscordServer.BotToken, gatewayBot.Authorization);
        Assert.StartsWith("DiscordBot (https://", gatewayBot.UserAgent, StringComparison.Ordinal);
        Assert.Contains("v=10", connection.Query, StringComparison.Ordinal);
        Assert.Contains("encoding=json", connection.Query, StringComparison.Ordinal);
        Assert.False(connection.IsResumeEndpoint);

        ReceivedPayload identify = connection.Received.Single(p => p.Op == 2);
        Assert.Equal(FakeDiscordServer.BotToken, identify.D!["token"]!.GetValue<string>());
        Assert.Equal(37377, identify.D["intents"]!.GetValue<int>());
        Assert.Equal("chatbots", identify.D["properties"]!["browser"]!.GetValue<string>());
        Assert.Null(identify.D["shard"]);

        string trigger = await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "hello there", mentionBot: true));
        RecordedRequest reply = await env.WaitForPostAsync(Channel);

        Assert.Equal("echo: hello there", reply.Json!["content"]!.GetValue<string>());
        Assert.Empty(reply.Json["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Equal(trigger, reply.Json["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.False(reply.Json["message_reference"]!["fail_if_not_exists"]!.GetValue<bool>());
        Assert.Equal("Bot " + FakeDiscordServer.BotToken, reply.Authorization);

        // Discord's form "DiscordBot ($url, $versionNumber)", with the build's own version and no "+commit" metadata.
        string version = typeof(DiscordOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Assert.Equal($"DiscordBot (https://github.com/chatbots/chatbots, {version})", reply.UserAgent);
        Assert.Matches(@"^DiscordBot \(https://github\.com/chatbots/chatbots, [0-9]+\.[0-9]+[^ +)]*\)$", reply.UserAgent);
    }

    [Fact]
    public async Task Gateway_AfterDispatch_HeartbeatCarriesLastSequence()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection connection = await env.WaitReadyAsync();

        long seq = await env.Discord.SendDispatchAsync("TYPING_START", new JsonObject { ["channel_id"] = Channel });

        ReceivedPayload beat = await connection.WaitForPayloadAsync(p => p.Op == 1 && p.D is not null && p.D.GetValue<long>() == seq, Guard);
        Assert.Equal(seq, beat.D!.GetValue<long>());
    }

    [Fact]
    public async Task Gateway_ServerRequestsHeartbeat_BeatsImmediately()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.HeartbeatInterval = TimeSpan.FromSeconds(30));
        FakeGatewayConnection connection = await env.WaitReadyAsync();
        int before = connection.HeartbeatCount;

        await connection.SendHeartbeatRequestAsync();

        // With a 30 s interval, a beat within the guard can only be the answer to op 1.
        await DiscordTestHost.WaitUntilAsync(() => connection.HeartbeatCount > before, TimeSpan.FromSeconds(10));
        Assert.True(connection.HeartbeatCount > before);
    }

    [Fact]
    public async Task Gateway_MissingAck_ResumesOnResumeUrlWithSameSessionAndLastSequence()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.ResumeReplayOverlap = 1);
        FakeGatewayConnection first = await env.WaitReadyAsync();
        string handled = await env.SendMessageAsync(DiscordPayloads.DirectMessage(Channel, "first"));
        await env.WaitForPostAsync(Channel, r => r.Json?["content"]?.GetValue<string>() == "echo: first");
        long lastSeq = 2; // READY = 1, the message = 2
        string missed = FakeDiscordServer.NewId();
        env.Discord.AddMissedDispatch("MESSAGE_CREATE", DiscordPayloads.DirectMessage(Channel, "missed", id: missed));

        first.AckHeartbeats = false;

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        int? closeCode = await first.Closed.WaitAsync(Guard);
        Assert.NotNull(closeCode);
        Assert.NotEqual(1000, closeCode);
        Assert.NotEqual(1001, closeCode);
        Assert.True(second.IsResumeEndpoint);
        ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
        Assert.Equal(lastSeq, resume.D["seq"]!.GetValue<long>());
        Assert.DoesNotContain(second.Received, p => p.Op == 2);

        // The replay redelivers the handled message (overlap) and the missed one: each is answered once.
        await env.WaitForPostAsync(Channel, r => r.Json?["content"]?.GetValue<string>() == "echo: missed");
        await env.Engine.WhenIdleAsync();
        Assert.Single(env.Engine.Received, m => m.MessageId == handled);
        Assert.Single(env.Engine.Received, m => m.MessageId == missed);

        // The new connection's ACK flag starts fresh: it survives several beats.
        int beats = second.HeartbeatCount;
        await DiscordTestHost.WaitUntilAsync(() => second.HeartbeatCount >= beats + 3);
        Assert.Equal(2, env.Discord.Connections.Count);
        Assert.False(second.Closed.IsCompleted);
    }

    [Fact]
    public async Task Gateway_OpReconnect_ResumesOnResumeUrl()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection first = await env.WaitReadyAsync();

        await first.SendReconnectAsync();

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.True(second.IsResumeEndpoint);
        ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
        Assert.Equal(1, resume.D["seq"]!.GetValue<long>());
        int? code = await first.Closed.WaitAsync(Guard);
        Assert.Equal(4000, code);
        Assert.Single(env.Discord.RequestsTo("GET", "gateway/bot"));
    }

    [Fact]
    public async Task Gateway_InvalidSessionNotResumable_IdentifiesAgainOnGatewayUrl()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection first = await env.WaitReadyAsync();

        await first.SendInvalidSessionAsync(resumable: false);

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.False(second.IsResumeEndpoint);
        await second.WaitForOpAsync(2, Guard);
        Assert.DoesNotContain(second.Received, p => p.Op == 6);
        Assert.Equal(2, env.Discord.RequestsTo("GET", "gateway/bot").Count);
        await DiscordTestHost.WaitUntilAsync(() => env.Discord.CurrentSessionId == "session-2" && env.Status.IsConnected);
    }

    [Fact]
    public async Task Gateway_InvalidSessionResumable_ResumesOnResumeUrl()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection first = await env.WaitReadyAsync();

        await first.SendInvalidSessionAsync(resumable: true);

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.True(second.IsResumeEndpoint);
        Assert.Equal("session-1", (await second.WaitForOpAsync(6, Guard)).D!["session_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(4009, false)]
    [InlineData(4007, false)]
    [InlineData(4000, true)]
    public async Task Gateway_ServerCloses_ResumesOrIdentifiesByCode(int code, bool expectResume)
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection first = await env.WaitReadyAsync();

        await first.CloseAsync(code, "scripted");

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.Equal(expectResume, second.IsResumeEndpoint);
        ReceivedPayload opening = await second.WaitForPayloadAsync(p => p.Op is 2 or 6, Guard);
        Assert.Equal(expectResume ? 6 : 2, opening.Op);
    }

    [Fact]
    public async Task Gateway_DroppedSocket_Resumes()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection first = await env.WaitReadyAsync();

        first.Drop();

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.True(second.IsResumeEndpoint);
        await second.WaitForOpAsync(6, Guard);
    }

    [Theory]
    [InlineData(4004, "Discord:BotToken")]
    [InlineData(4014, "Message Content intent")]
    public async Task Gateway_FatalClose_StopsAdapterWithClearErrorAndHostStaysUp(int code, string fix)
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.CloseOnIdentify = code);

        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);

        Assert.Contains(fix, env.Status.FaultReason, StringComparison.Ordinal);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical && r.Message.Contains(fix, StringComparison.Ordinal));

        // The adapter faults only after the gateway loop has returned: no further connection can follow.
        Assert.Single(env.Discord.Connections);
        Assert.Single(env.Discord.RequestsTo("GET", "gateway/bot"));
        Assert.False(env.Sentinel.Stopped);
        Assert.False(env.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task Gateway_SessionStartLimitExhausted_WaitsResetAfterBeforeIdentifying()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d =>
        {
            d.SessionStartRemaining = 0;
            d.SessionStartResetAfterMs = 1500;
        });

        await DiscordTestHost.WaitUntilAsync(() => env.Discord.RequestsTo("GET", "gateway/bot").Count == 1);
        long first = env.Discord.RequestsTo("GET", "gateway/bot")[0].Timestamp;
        env.Discord.SessionStartRemaining = 10;
        FakeGatewayConnection connection = await env.WaitReadyAsync();

        IReadOnlyList<RecordedRequest> lookups = env.Discord.RequestsTo("GET", "gateway/bot");
        Assert.Equal(2, lookups.Count);
        Assert.True(TimeProvider.System.GetElapsedTime(first, lookups[1].Timestamp) >= TimeSpan.FromMilliseconds(1400));
        Assert.Single(connection.Received, p => p.Op == 2);
    }

    [Fact]
    public async Task Gateway_Restart_ResumesPersistedSession()
    {
        var store = new ChatBots.Testing.Engine.InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(store: store);
        FakeGatewayConnection first = await env.WaitReadyAsync();
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(Channel, "remember me"));
        await env.WaitForPostAsync(Channel);
        await DiscordTestHost.WaitUntilAsync(() => first.HeartbeatCount >= 2);
        await env.Host.StopAsync();

        IHost restarted = DiscordTestHost.Build(env.Discord, null, env.Engine, store, TimeProvider.System);
        await restarted.StartAsync();
        try
        {
            FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
            Assert.True(second.IsResumeEndpoint);
            ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
            Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
            Assert.Equal(2, resume.D["seq"]!.GetValue<long>());
            Assert.NotEqual(1000, await first.Closed.WaitAsync(Guard));

            // A resumed session gets no READY: the bot must still know who it is and answer a mention.
            await DiscordTestHost.WaitUntilAsync(() => env.Discord.ActiveConnection == second);
            await env.Discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.GuildMessage("555000000000000001", "after restart", mentionBot: true));
            RecordedRequest reply = await env.WaitForPostAsync("555000000000000001");
            Assert.Contains("after restart", reply.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await restarted.StopAsync();
            restarted.Dispose();
        }
    }
}
