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
        IdentifyGuard guard = NewGuard(2, TimeSpan.Zero, new InMemoryKeyValueStore(), time);
        await IdentifyAsync(guard);
        await IdentifyAsync(guard);

        Task<TimeSpan> third = guard.WaitAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromHours(1), await third.WaitAsync(Guard));
    }

    [Fact]
    public async Task IdentifyGuard_MinInterval_SpacesIdentifies()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        IdentifyGuard guard = NewGuard(10, TimeSpan.FromSeconds(5), new InMemoryKeyValueStore(), time);
        await IdentifyAsync(guard);

        Task<TimeSpan> second = guard.WaitAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(5), await second.WaitAsync(Guard));
    }

    [Fact]
    public async Task IdentifyGuard_WaitWithoutRecord_DoesNotSpendBudget()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        IdentifyGuard guard = NewGuard(1, TimeSpan.Zero, new InMemoryKeyValueStore(), time);

        // Connection attempts that never sent op 2 (socket failed to open): allowed again and again.
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(TimeSpan.Zero, await guard.WaitAsync(CancellationToken.None).WaitAsync(Guard));
        }

        await guard.RecordAsync(CancellationToken.None);
        Task<TimeSpan> next = guard.WaitAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task IdentifyGuard_NewProcessWithSameStore_InheritsTheHourlyCount()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryKeyValueStore();
        IdentifyGuard before = NewGuard(2, TimeSpan.Zero, store, time);
        await IdentifyAsync(before);
        time.Advance(TimeSpan.FromMinutes(10));
        await IdentifyAsync(before);

        // The process exits and a supervisor restarts it: the new guard must not come with a fresh budget.
        IdentifyGuard after = NewGuard(2, TimeSpan.Zero, store, time);
        Task<TimeSpan> third = after.WaitAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(49));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromMinutes(50), await third.WaitAsync(Guard));
        Assert.NotNull(await store.GetAsync("discord:identifies:0", CancellationToken.None));
    }

    [Fact]
    public async Task IdentifyGuard_UnreadableStoredHistory_StartsEmptyInsteadOfFailing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryKeyValueStore();
        await store.SetAsync("discord:identifies:0", "not json", CancellationToken.None);
        IdentifyGuard guard = NewGuard(1, TimeSpan.Zero, store, time);

        Assert.Equal(TimeSpan.Zero, await guard.WaitAsync(CancellationToken.None).WaitAsync(Guard));
        await guard.RecordAsync(CancellationToken.None);
        Assert.False(guard.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Gateway_IdentifyLoop_BoundedByCircuitBreaker()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(
            d => d.CloseOnIdentify = 4009,
            new Dictionary<string, string?> { ["Discord:MaxIdentifiesPerHour"] = "3" });

        await env.Discord.WaitForConnectionAsync(2, Guard);

        // Logged when the guard decides to hold the next Identify for the rest of the hour: nothing connects after it.
        await DiscordTestHost.WaitUntilAsync(() => env.Logs.GetSnapshot().Any(r => r.Id.Id == 1201));

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

    private static IdentifyGuard NewGuard(int maxPerHour, TimeSpan minInterval, InMemoryKeyValueStore store, TimeProvider time) =>
        new(maxPerHour, minInterval, store, "discord:identifies:0", time, NullLogger.Instance);

    private static async Task IdentifyAsync(IdentifyGuard guard)
    {
        await guard.WaitAsync(CancellationToken.None).WaitAsync(Guard);
        await guard.RecordAsync(CancellationToken.None);
    }
}
