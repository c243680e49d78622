using ChatBots.Discord.Gateway;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

public sealed class GatewayPolicyTests
{
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task IdentifyGuard_OverHourlyBudget_HoldsNextIdentifyUntilWindowFrees()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var guard = new IdentifyGuard(2, TimeSpan.Zero, time, NullLogger.Instance);
        await guard.WaitAndRecordAsync(CancellationToken.None);
        await guard.WaitAndRecordAsync(CancellationToken.None);

        Task third = guard.WaitAndRecordAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));

        await third.WaitAsync(Guard);
        Assert.True(third.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task IdentifyGuard_MinInterval_SpacesIdentifies()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var guard = new IdentifyGuard(10, TimeSpan.FromSeconds(5), time, NullLogger.Instance);
        await guard.WaitAndRecordAsync(CancellationToken.None);

        Task second = guard.WaitAndRecordAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await second.WaitAsync(Guard);
    }

    [Fact]
    public async Task Gateway_IdentifyLoop_BoundedByCircuitBreaker()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.CloseOnIdentify = 4009,
            new Dictionary<string, string?> { ["Discord:MaxIdentifiesPerHour"] = "3" });

        await env.Discord.WaitForConnectionAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => env.Logs.GetSnapshot().Any(r => r.Id.Id == 1201));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(3, env.Discord.Connections.Count);
        Assert.Equal(3, env.Discord.Connections.Sum(c => c.Received.Count(p => p.Op == 2)));
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("Identifies in the last hour", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_StoredSessionRejected_IdentifiesInsteadOfResumingAgain()
    {
        var store = new InMemoryKeyValueStore();
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => store.SetAsync("discord:session:0", $$"""{"session_id":"stale","resume_gateway_url":"{{d.ResumeUrl}}","seq":41,"shard_id":0,"shard_count":1}""", CancellationToken.None).GetAwaiter().GetResult(),
            store: store);

        FakeGatewayConnection first = await env.Discord.WaitForConnectionAsync(0, Guard);
        Assert.True(first.IsResumeEndpoint);
        Assert.Equal("stale", (await first.WaitForOpAsync(6, Guard)).D!["session_id"]!.GetValue<string>());

        FakeGatewayConnection second = await env.Discord.WaitForConnectionAsync(1, Guard);
        Assert.False(second.IsResumeEndpoint);
        await second.WaitForOpAsync(2, Guard);
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsConnected);
        Assert.DoesNotContain(second.Received, p => p.Op == 6);
    }

    [Fact]
    public async Task Gateway_ShardCountAboveOne_IdentifiesWithShard()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Discord:ShardId"] = "1",
            ["Discord:ShardCount"] = "2",
            ["Discord:Intents"] = "513",
        });

        FakeGatewayConnection connection = await env.Discord.WaitForConnectionAsync(0, Guard);
        ReceivedPayload identify = await connection.WaitForOpAsync(2, Guard);

        Assert.Equal([1, 2], identify.D!["shard"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(513, identify.D["intents"]!.GetValue<int>());
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("MESSAGE_CONTENT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_ShardIdNotBelowCount_FailsStartNamingTheKey()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = DiscordTestHost.Build(
            discord,
            new Dictionary<string, string?> { ["Discord:ShardId"] = "2", ["Discord:ShardCount"] = "2", ["Discord:AnswerAllChannelIds:0"] = "general" },
            new FakeConversationEngine(),
            new InMemoryKeyValueStore(),
            TimeProvider.System);

        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Discord:ShardId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Discord:AnswerAllChannelIds", ex.Message, StringComparison.Ordinal);
        Assert.Empty(discord.Requests);
    }

    [Fact]
    public void AddDiscordAdapter_NoToken_OnlyStatusRegistered()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        builder.AddDiscordAdapter();

        Assert.Contains(builder.Services, s => s.ServiceType == typeof(DiscordStatus));
        Assert.DoesNotContain(builder.Services, s => s.ServiceType == typeof(IHostedService));
    }
}
