using System.Globalization;
using ChatBots.Testing.Discord;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

/// <summary>Reconnect delays on a fake clock: the client's waits are measured in fake time the test has to supply.</summary>
public sealed class GatewayBackoffTests
{
    private const string DmChannel = "620000000000000001";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 4, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string?> OneSecondBackoff = new()
    {
        ["Discord:ReconnectDelay"] = "00:00:01",
        ["Discord:MaxReconnectDelay"] = "00:01:00",
    };

    [Fact]
    public async Task Gateway_ServerClosesRightAfterReadyOrResumed_RepeatedReconnectsBackOff()
    {
        var time = new FakeTimeProvider(Start);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d =>
            {
                d.Clock = time;
                d.HeartbeatInterval = TimeSpan.FromSeconds(45);
                d.CloseAfterReady = 4000;
            },
            OneSecondBackoff,
            time: time);

        for (int n = 1; n <= 5; n++)
        {
            // Connection n-1 got READY/RESUMED and was closed at once; the client logs its decision, then waits.
            await env.Discord.WaitForConnectionAsync(n - 1, Guard);
            await DiscordTestHost.WaitUntilAsync(() => ReconnectDelays(env).Count >= n);
            double expectedAtLeast = 500 * Math.Pow(2, n - 1); // ReconnectDelay × 2^(n-1), jittered down to half
            Assert.InRange(ReconnectDelays(env)[n - 1], expectedAtLeast, 2 * expectedAtLeast);

            TimeSpan waited = await DiscordTestHost.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(expectedAtLeast / 20), () => env.Discord.Connections.Count > n);

            Assert.True(waited >= TimeSpan.FromMilliseconds(expectedAtLeast), $"reconnect {n} came after {waited.TotalMilliseconds} ms of fake time");
            FakeGatewayConnection next = await env.Discord.WaitForConnectionAsync(n, Guard);
            Assert.True(next.IsResumeEndpoint);
        }
    }

    [Fact]
    public async Task Gateway_HealthyConnectionThenOpReconnect_WaitsOnlyAShortJitteredDelay()
    {
        var time = new FakeTimeProvider(Start);
        TimeSpan interval = TimeSpan.FromSeconds(10);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d =>
            {
                d.Clock = time;
                d.HeartbeatInterval = interval;
            },
            OneSecondBackoff,
            time: time);
        FakeGatewayConnection first = await env.WaitReadyAsync();

        // One interval of life (its first, jittered heartbeat answered) makes the connection healthy.
        time.Advance(interval);
        await DiscordTestHost.WaitUntilAsync(() => first.HeartbeatCount == 1 && env.Status.LastHeartbeatAck == time.GetUtcNow());
        await first.SendReconnectAsync();
        await DiscordTestHost.WaitUntilAsync(() => ReconnectDelays(env).Count == 1);

        // A quarter to a half of Discord:ReconnectDelay: never zero, never the growing failure backoff.
        Assert.InRange(ReconnectDelays(env)[0], 250, 500);
        TimeSpan waited = await DiscordTestHost.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(10), () => env.Discord.Connections.Count > 1);
        Assert.True(waited >= TimeSpan.FromMilliseconds(250), $"resumed after {waited.TotalMilliseconds} ms of fake time");
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.True(second.IsResumeEndpoint);
        await second.WaitForOpAsync(6, Guard);
    }

    [Fact]
    public async Task Gateway_SlowEngine_HeartbeatGapsStayWithinOneAndAHalfIntervals()
    {
        var time = new FakeTimeProvider(Start);
        TimeSpan interval = TimeSpan.FromSeconds(10);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d =>
            {
                d.Clock = time;
                d.HeartbeatInterval = interval;
            },
            time: time);
        env.Engine.Responder = (_, _) => release.Task;
        FakeGatewayConnection connection = await env.WaitReadyAsync();
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "think for a minute"));
        await DiscordTestHost.WaitUntilAsync(() => env.Engine.Received.Count == 1);

        // A minute of fake time while the model call is stuck: the first beat is jittered within one interval, then one
        // per interval, each acknowledged before the clock moves on (an unanswered beat would be a zombie connection).
        for (int beat = 1; beat <= 6; beat++)
        {
            time.Advance(interval);
            await DiscordTestHost.WaitUntilAsync(() => connection.HeartbeatCount >= beat && env.Status.LastHeartbeatAck == time.GetUtcNow());
        }

        List<long> stamps = [.. connection.Received.Where(p => p.Op == 1).Select(p => p.Timestamp)];
        List<TimeSpan> gaps = [.. stamps.Zip(stamps.Skip(1), (a, b) => time.GetElapsedTime(a, b))];
        Assert.Equal(6, stamps.Count);
        Assert.True(gaps.Max() <= interval * 1.5, $"largest heartbeat gap {gaps.Max()}");
        Assert.True(gaps.Min() >= interval * 0.5, $"smallest heartbeat gap {gaps.Min()}");
        Assert.Empty(env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages"));
        Assert.NotEmpty(env.Discord.RequestsTo("POST", $"channels/{DmChannel}/typing"));

        release.SetResult("done thinking");
        RecordedRequest reply = await env.WaitForPostAsync(DmChannel);
        Assert.Equal("done thinking", reply.Json!["content"]!.GetValue<string>());
        Assert.Single(env.Discord.Connections);
        Assert.False(connection.Closed.IsCompleted);
    }

    /// <summary>The "next: … in {DelayMs} ms" decisions the client logged, in order.</summary>
    private static List<double> ReconnectDelays(DiscordTestHost env) =>
    [
        .. env.Logs.GetSnapshot()
            .Where(r => r.Id.Id == 1002)
            .Select(r => double.Parse(r.StructuredState!.Single(kv => kv.Key == "DelayMs").Value!, CultureInfo.InvariantCulture)),
    ];
}
