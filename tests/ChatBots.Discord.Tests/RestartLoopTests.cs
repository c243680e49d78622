using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

/// <summary>
/// The host exits when every adapter has failed, and a supervisor (<c>--restart unless-stopped</c>) starts it again. These
/// tests restart the host on the same store and check that such a loop spends no Identify it should not.
/// </summary>
public sealed class RestartLoopTests
{
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Theory]
    [InlineData(4004, "Discord:BotToken")]
    [InlineData(4014, "Message Content intent")]
    public async Task Gateway_FatalCloseThenRestartWithSameConfig_ReportsSameErrorWithoutConnecting(int code, string fix)
    {
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.CloseOnIdentify = code, store: store);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);
        string firstReason = env.Status.FaultReason!;
        await env.Host.StopAsync();

        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env);
        DiscordStatus status = restarted.Status;
        await DiscordTestHost.WaitUntilAsync(() => status.IsFaulted);

        // Faulting happens before any request, so nothing can follow it: one connection, one Identify, one lookup in all.
        Assert.Equal(firstReason, status.FaultReason);
        Assert.Contains(fix, status.FaultReason, StringComparison.Ordinal);
        IReadOnlyList<FakeLogRecord> logs = restarted.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Critical && r.Message.Contains(firstReason, StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == 1024 && r.Message.Contains($"close {code}", StringComparison.Ordinal));
        FakeGatewayConnection only = Assert.Single(env.Discord.Connections);
        Assert.Single(only.Received, p => p.Op == 2);
        Assert.Single(env.Discord.RequestsTo("GET", "gateway/bot"));

        // What is kept identifies the configuration without holding the token.
        string? remembered = await store.GetAsync("discord:fatal:0", CancellationToken.None);
        Assert.NotNull(remembered);
        Assert.DoesNotContain(FakeDiscordServer.BotToken, remembered, StringComparison.Ordinal);
        Assert.Contains($"\"code\":{code}", remembered, StringComparison.Ordinal);
        Assert.False(restarted.Sentinel.Stopped);
        Assert.False(restarted.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Theory]
    [InlineData("Discord:BotToken", "another-bot-token")]
    [InlineData("Discord:Intents", "4609")]
    public async Task Gateway_FatalCloseThenTokenOrIntentsChanged_IdentifiesAgain(string key, string value)
    {
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.CloseOnIdentify = 4004, store: store);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);
        await env.Host.StopAsync();
        env.Discord.CloseOnIdentify = null;

        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env, new Dictionary<string, string?> { [key] = value });
        DiscordStatus status = restarted.Status;
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        ReceivedPayload identify = await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => status.IsConnected);

        Assert.False(status.IsFaulted);
        Assert.Equal(key == "Discord:BotToken" ? value : FakeDiscordServer.BotToken, identify.D!["token"]!.GetValue<string>());
        Assert.Null(await store.GetAsync("discord:fatal:0", CancellationToken.None));
    }

    [Fact]
    public async Task Gateway_DisallowedIntentThenEnabledInPortal_IdentifiesAgainWithoutConfigChange()
    {
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.CloseOnIdentify = 4014, store: store);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);
        await env.Host.StopAsync();

        // The operator follows the message: Message Content Intent switched on in the Developer Portal (GATEWAY_MESSAGE_CONTENT_LIMITED).
        env.Discord.CloseOnIdentify = null;
        env.Discord.ApplicationFlags = 1L << 19;
        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env);
        DiscordStatus status = restarted.Status;
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => status.IsConnected);

        Assert.False(status.IsFaulted);
        Assert.Null(await store.GetAsync("discord:fatal:0", CancellationToken.None));
    }

    [Fact]
    public async Task Gateway_HourlyIdentifyBudgetSpentThenRestart_NewProcessDoesNotIdentify()
    {
        var store = new InMemoryKeyValueStore();
        var settings = new Dictionary<string, string?> { ["Discord:MaxIdentifiesPerHour"] = "3" };
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(d => d.CloseOnIdentify = 4009, settings, store: store);
        await DiscordTestHost.WaitUntilAsync(() => env.Logs.GetSnapshot().Any(r => r.Id.Id == 1201));
        await env.Host.StopAsync();
        Assert.Equal(3, env.Discord.Connections.Count);

        await using DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env, settings);

        // The circuit-open error is logged when the guard decides to wait (an hour here): no connection can follow it.
        FakeLogCollector logs = restarted.Logs;
        await DiscordTestHost.WaitUntilAsync(() => logs.GetSnapshot().Any(r => r.Id.Id == 1201));
        Assert.Equal(3, env.Discord.Connections.Count);
        Assert.Equal(3, env.Discord.Connections.Sum(c => c.Received.Count(p => p.Op == 2)));
        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("3 Discord Identifies in the last hour", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_GatewayUrlUnusable_AttemptsSpendNoIdentifyAndAdapterKeepsTrying()
    {
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.GatewayUrlForLookup = n => n switch
            {
                0 => "",
                1 => "https://gateway.example/not-a-websocket",
                2 => d.GatewayUrl + "-missing", // 404 on the upgrade: the socket never opens
                _ => null,
            },
            new Dictionary<string, string?> { ["Discord:MaxIdentifiesPerHour"] = "2" },
            store: store);

        FakeGatewayConnection connection = await env.WaitReadyAsync();

        // Three failed attempts and a success, yet only the Identify Discord received was counted.
        Assert.Equal(4, env.Discord.RequestsTo("GET", "gateway/bot").Count);
        Assert.Single(connection.Received, p => p.Op == 2);
        Assert.DoesNotContain(env.Logs.GetSnapshot(), r => r.Id.Id == 1201);
        Assert.False(env.Status.IsFaulted);
        string history = (await store.GetAsync("discord:identifies:0", CancellationToken.None))!;
        Assert.Single(System.Text.Json.JsonDocument.Parse(history).RootElement.GetProperty("at").EnumerateArray());
    }

    [Fact]
    public async Task Gateway_IdentifyHeldByGuardForLong_AsksGatewayBotAgainBeforeIdentifying()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryKeyValueStore();
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long minute = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;
        await store.SetAsync("discord:identifies:0", $$"""{"at":[{{now - (59 * minute)}},{{now - (50 * minute)}}]}""", CancellationToken.None);

        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.Clock = time,
            new Dictionary<string, string?> { ["Discord:MaxIdentifiesPerHour"] = "2" },
            store: store,
            time: time);
        await DiscordTestHost.WaitUntilAsync(() => env.Logs.GetSnapshot().Any(r => r.Id.Id == 1201));
        Assert.Single(env.Discord.RequestsTo("GET", "gateway/bot"));
        Assert.Empty(env.Discord.Connections);

        // The older Identify leaves the hour after one more minute; the minute-old /gateway/bot answer is not trusted.
        TimeSpan held = await DiscordTestHost.AdvanceUntilAsync(time, TimeSpan.FromSeconds(20), () => env.Discord.Connections.Count > 0);
        FakeGatewayConnection connection = await env.Discord.WaitForConnectionAsync(0, Guard);
        await connection.WaitForOpAsync(2, Guard);

        Assert.True(held >= TimeSpan.FromMinutes(1), $"identified after {held}");
        Assert.Equal(2, env.Discord.RequestsTo("GET", "gateway/bot").Count);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Id.Id == 1023);
    }
}
