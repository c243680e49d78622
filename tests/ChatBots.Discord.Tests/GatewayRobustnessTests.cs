using System.Text.Json.Nodes;
using ChatBots.Testing.Discord;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Tests;

/// <summary>What Discord (or something in between) might send that the client cannot use: it must reconnect, never hang or stop.</summary>
public sealed class GatewayRobustnessTests
{
    private const string DmChannel = "610000000000000001";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task Gateway_MalformedHello_ClosesReconnectsAndIdentifies()
    {
        // Before Hello no heartbeat runs, so a reader that died silently would leave this connection waiting forever.
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.HelloFrame = c => c.Index == 0 ? """{"op":10,"d":{"heartbeat_interval":"soon"}}""" : null);

        FakeGatewayConnection first = await env.Discord.WaitForConnectionAsync(0, Guard);
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsConnected);

        Assert.Equal(4000, await first.Closed.WaitAsync(Guard));
        Assert.DoesNotContain(first.Received, p => p.Op == 2);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Id.Id == 1020 && r.Level == LogLevel.Error && r.Exception is System.Text.Json.JsonException);
        Assert.False(env.Status.IsFaulted);
    }

    [Fact]
    public async Task Gateway_MalformedReady_IdentifiesAgainAndAnswers()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.ReadyData = c => c.Index == 0 ? JsonValue.Create("not a READY object") : null);

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsConnected);

        // The failed READY's sequence (1) must not make the good READY (also 1) look like a replay.
        Assert.False(second.IsResumeEndpoint);
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "still there?"));
        RecordedRequest reply = await env.WaitForPostAsync(DmChannel);
        Assert.Equal("echo: still there?", reply.Json!["content"]!.GetValue<string>());
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Id.Id == 1020);

        // Reconnected because the payload failed, not later because heartbeats went unanswered.
        Assert.DoesNotContain(env.Logs.GetSnapshot(), r => r.Id.Id == 1015);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("https://gateway.example/")]
    public async Task Gateway_UnusableResumeUrl_ResumesOnGatewayUrlFromGatewayBot(string resumeUrl)
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.ReadyResumeGatewayUrl = resumeUrl);
        FakeGatewayConnection first = await env.WaitReadyAsync();

        await first.SendReconnectAsync();

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        ReceivedPayload resume = await second.WaitForOpAsync(6, Guard);
        await DiscordTestHost.WaitUntilAsync(() => env.Discord.ActiveConnection == second && env.Status.IsConnected);

        Assert.False(second.IsResumeEndpoint);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
        Assert.DoesNotContain(second.Received, p => p.Op == 2);
        Assert.Equal(2, env.Discord.RequestsTo("GET", "gateway/bot").Count);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Id.Id == 1021);
        Assert.False(env.Status.IsFaulted);
    }
}
