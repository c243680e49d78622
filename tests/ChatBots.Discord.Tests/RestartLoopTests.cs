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
    public async Task Gateway_DisallowedIntentWhileFlagsLookAllowedThenRestart_DoesNotIdentifyUntilFlagsChange()
    {
        // The flags already say "allowed" (an unverified bot in 100+ servers, say), yet Discord closes with 4014.
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d =>
            {
                d.CloseOnIdentify = 4014;
                d.ApplicationFlags = 1L << 19;
            },
            store: store);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);
        await env.Host.StopAsync();
        Assert.Contains("\"application_flags\":524288", await store.GetAsync("discord:fatal:0", CancellationToken.None), StringComparison.Ordinal);

        await using (DiscordTestHost restarted = await DiscordTestHost.RestartAsync(env))
        {
            DiscordStatus status = restarted.Status;
            await DiscordTestHost.WaitUntilAsync(() => status.IsFaulted);

            // Nothing changed since Discord refused: no Identify is spent on the same answer.
            Assert.Contains("Message Content intent", status.FaultReason, StringComparison.Ordinal);
            Assert.Contains(restarted.Logs.GetSnapshot(), r => r.Id.Id == 1028);
            Assert.Single(env.Discord.Connections);
        }

        // The operator changes something in the portal (here: the verified flag too): worth one more try.
        env.Discord.ApplicationFlags = (1L << 18) | (1L << 19);
        env.Discord.CloseOnIdentify = null;
        await using DiscordTestHost fixedHost = await DiscordTestHost.RestartAsync(env);
        DiscordStatus fixedStatus = fixedHost.Status;
        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => fixedStatus.IsConnected);
        Assert.False(fixedStatus.IsFaulted);
    }

    [Fact]
    public async Task Gateway_DisallowedIntentRememberedAndFlagsLookupFails_RetriesOnClockThenConnects()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryKeyValueStore();
        await RememberDisallowedIntentAsync(store, time);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d =>
            {
                d.Clock = time;
                d.ApplicationFlags = 1L << 19; // the operator has enabled the intent meanwhile
                d.ScriptResponse("GET", "applications/@me", 200, "<html>proxy error</html>"); // a body nobody can parse
            },
            new Dictionary<string, string?> { ["Discord:ReconnectDelay"] = "00:00:02", ["Discord:MaxReconnectDelay"] = "00:01:00" },
            store: store,
            time: time);

        FakeLogRecord retry = await env.WaitForLogAsync(1027);
        double delayMs = double.Parse(DiscordTestHost.Field(retry, "DelayMs")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(env.Status.IsFaulted);
        Assert.Empty(env.Discord.Connections);

        // The lookup is asked again after the logged backoff on the host's clock, not abandoned as a fault.
        TimeSpan waited = await DiscordTestHost.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => env.Discord.Connections.Count > 0);
        FakeGatewayConnection connection = await env.Discord.WaitForConnectionAsync(0, Guard);
        await connection.WaitForOpAsync(2, Guard);

        Assert.InRange(delayMs, 1000, 2000);
        Assert.True(waited >= TimeSpan.FromMilliseconds(delayMs), $"asked again after {waited}");
        Assert.Single(env.Logs.GetSnapshot(), r => r.Id.Id == 1027);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Id.Id == 1025);
        Assert.False(env.Status.IsFaulted);
        Assert.Null(await store.GetAsync("discord:fatal:0", CancellationToken.None));
    }

    [Fact]
    public async Task Gateway_DisallowedIntentRememberedAndFlagsLookupUnauthorized_FaultsNamingTheToken()
    {
        var store = new InMemoryKeyValueStore();
        await RememberDisallowedIntentAsync(store, TimeProvider.System);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.ScriptResponse("GET", "applications/@me", 401, """{"message":"401: Unauthorized","code":0}"""),
            store: store);

        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);

        // The token was reset since: that is what the operator must fix now, not the intent.
        Assert.Contains("Discord:BotToken", env.Status.FaultReason, StringComparison.Ordinal);
        Assert.DoesNotContain("4014", env.Status.FaultReason, StringComparison.Ordinal);
        Assert.Empty(env.Discord.Connections);
        Assert.Single(env.Discord.RequestsTo("GET", "applications/@me"));
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

    /// <summary>A 4014 remembered by an earlier run with the test host's token and default intents, when the flags were 0.</summary>
    private static Task RememberDisallowedIntentAsync(InMemoryKeyValueStore store, TimeProvider time)
    {
        string fingerprint = ChatBots.Discord.Gateway.FatalCloseMemory.Fingerprint(new DiscordOptions { BotToken = FakeDiscordServer.BotToken }, 10);
        long at = time.GetUtcNow().ToUnixTimeMilliseconds() - 60_000;
        return store.SetAsync("discord:fatal:0", $$"""{"code":4014,"fingerprint":"{{fingerprint}}","at_unix_ms":{{at}},"application_flags":0}""", CancellationToken.None);
    }
}
