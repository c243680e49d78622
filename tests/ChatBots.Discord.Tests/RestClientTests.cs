using System.Net;
using ChatBots.Discord.Rest;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Discord.Tests;

public sealed class RestClientTests
{
    private const string Channel = "570000000000000001";
    private const string OtherChannel = "570000000000000002";

    [Fact]
    public async Task Rest_RouteRateLimited_WaitsRetryAfterAndSendsOnce()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptRateLimit("POST", $"channels/{Channel}/messages", retryAfterSeconds: 0.5, global: false, bucket: "bucket-a");

        await rest.CreateMessageAsync(Channel, "hello once", null, "nonce-1", CancellationToken.None);

        IReadOnlyList<RecordedRequest> attempts = discord.RequestsTo("POST", $"channels/{Channel}/messages");
        Assert.Equal([429, 200], attempts.Select(a => a.Status));
        Assert.True(TimeProvider.System.GetElapsedTime(attempts[0].Timestamp, attempts[1].Timestamp) >= TimeSpan.FromMilliseconds(450));
        Assert.All(attempts, a => Assert.Equal("hello once", a.Json!["content"]!.GetValue<string>()));

        // The retry carries the same nonce, so Discord could never create the message twice.
        Assert.Equal(attempts[0].Json!["nonce"]!.GetValue<string>(), attempts[1].Json!["nonce"]!.GetValue<string>());
        Assert.True(attempts[1].Json!["enforce_nonce"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Rest_RouteRateLimited_OtherChannelNotDelayed()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptRateLimit("POST", $"channels/{Channel}/messages", retryAfterSeconds: 3, global: false, bucket: "bucket-a");

        Task limited = rest.CreateMessageAsync(Channel, "slow", null, "nonce-2", CancellationToken.None);
        await discord.WaitForRequestAsync(r => r.Status == 429, DiscordTestHost.Guard);
        await rest.CreateMessageAsync(OtherChannel, "fast", null, "nonce-3", CancellationToken.None);

        // The other channel's message went out while the limited one was still waiting.
        Assert.False(limited.IsCompleted);
        Assert.Single(discord.RequestsTo("POST", $"channels/{OtherChannel}/messages"), r => r.Status == 200);
        await limited;
        Assert.Single(discord.RequestsTo("POST", $"channels/{Channel}/messages"), r => r.Status == 200);
    }

    [Fact]
    public async Task Rest_GlobalRateLimit_PausesAllRequestsThenRetries()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptRateLimit("POST", $"channels/{Channel}/messages", retryAfterSeconds: 0.6, global: true);

        Task first = rest.CreateMessageAsync(Channel, "one", null, "nonce-4", CancellationToken.None);
        RecordedRequest limited = await discord.WaitForRequestAsync(r => r.Status == 429, DiscordTestHost.Guard);
        await DiscordTestHost.WaitUntilAsync(() => host.Services.GetRequiredService<DiscordRateLimiter>().IsGloballyPaused);
        await rest.TriggerTypingAsync(OtherChannel, CancellationToken.None);
        await first;

        RecordedRequest typing = Assert.Single(discord.RequestsTo("POST", $"channels/{OtherChannel}/typing"));
        Assert.True(TimeProvider.System.GetElapsedTime(limited.Timestamp, typing.Timestamp) >= TimeSpan.FromMilliseconds(550));

        // The limited message itself: retried once after retry_after, with the same nonce, so it exists exactly once.
        IReadOnlyList<RecordedRequest> attempts = discord.RequestsTo("POST", $"channels/{Channel}/messages");
        Assert.Equal([429, 200], attempts.Select(a => a.Status));
        Assert.True(TimeProvider.System.GetElapsedTime(attempts[0].Timestamp, attempts[1].Timestamp) >= TimeSpan.FromMilliseconds(550));
        Assert.Equal(attempts[0].Json!["nonce"]!.GetValue<string>(), attempts[1].Json!["nonce"]!.GetValue<string>());
        Assert.All(attempts, a => Assert.Equal("one", a.Json!["content"]!.GetValue<string>()));
        Assert.Single(attempts, a => a.Status == 200);
    }

    [Fact]
    public async Task Rest_SuccessWithRemainingZero_NextCallWaitsResetAfter()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        string message = """{"id":"1","channel_id":"570000000000000001","type":0,"content":"x"}""";
        discord.ScriptResponse("POST", $"channels/{Channel}/messages", 200, message, new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "5",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset-After"] = "0.5",
            ["X-RateLimit-Bucket"] = "bucket-b",
        });

        await rest.CreateMessageAsync(Channel, "first", null, "nonce-5", CancellationToken.None);
        await rest.CreateMessageAsync(Channel, "second", null, "nonce-6", CancellationToken.None);

        IReadOnlyList<RecordedRequest> posts = discord.RequestsTo("POST", $"channels/{Channel}/messages");
        Assert.Equal(2, posts.Count);
        Assert.True(TimeProvider.System.GetElapsedTime(posts[0].Timestamp, posts[1].Timestamp) >= TimeSpan.FromMilliseconds(450));
    }

    [Fact]
    public async Task Rest_ServerError_RetriedUntilSuccess()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptResponse("POST", $"channels/{Channel}/messages", 502, "bad gateway");

        await rest.CreateMessageAsync(Channel, "eventually", null, "nonce-7", CancellationToken.None);

        Assert.Equal([502, 200], discord.RequestsTo("POST", $"channels/{Channel}/messages").Select(r => r.Status));
    }

    [Fact]
    public async Task Rest_Unauthorized_StopsAllFurtherRequests()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptResponse("POST", $"channels/{Channel}/messages", 401, """{"message":"401: Unauthorized","code":0}""");

        await Assert.ThrowsAsync<DiscordUnauthorizedException>(() => rest.CreateMessageAsync(Channel, "x", null, "nonce-8", CancellationToken.None));
        await Assert.ThrowsAsync<DiscordUnauthorizedException>(() => rest.TriggerTypingAsync(OtherChannel, CancellationToken.None));

        Assert.Single(discord.Requests);
    }

    [Fact]
    public async Task Rest_InteractionTokenUnauthorized_FailsOnlyThatRequest()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptResponse("POST", $"webhooks/{FakeDiscordServer.ApplicationId}/expired-token", 401, """{"message":"Invalid Webhook Token","code":50027}""");

        DiscordInteractionExpiredException ex = await Assert.ThrowsAsync<DiscordInteractionExpiredException>(
            () => rest.CreateFollowupMessageAsync(FakeDiscordServer.ApplicationId, "expired-token", "late part", CancellationToken.None));
        await rest.CreateMessageAsync(Channel, "bot token still works", null, "nonce-10", CancellationToken.None);

        Assert.Contains("50027", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("expired-token", ex.Message, StringComparison.Ordinal);
        Assert.False(rest.Unauthorized.IsCompleted);
        Assert.Single(discord.RequestsTo("POST", $"webhooks/{FakeDiscordServer.ApplicationId}/expired-token"));
        Assert.Single(discord.RequestsTo("POST", $"channels/{Channel}/messages"), r => r.Status == 200);
    }

    [Fact]
    public async Task Rest_Forbidden_NotRetried()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        discord.ScriptResponse("POST", $"channels/{Channel}/messages", 403, """{"message":"Missing Permissions","code":50013}""");

        DiscordHttpException ex = await Assert.ThrowsAsync<DiscordHttpException>(() => rest.CreateMessageAsync(Channel, "x", null, "nonce-9", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("50013", ex.Message, StringComparison.Ordinal);
        Assert.Single(discord.Requests);
    }

    [Fact]
    public async Task Rest_EditMessage_SendsEmptyAllowedMentions()
    {
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = BuildHost(discord);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();

        await rest.EditMessageAsync(Channel, "580000000000000001", "@everyone look", CancellationToken.None);

        RecordedRequest edit = Assert.Single(discord.RequestsTo("PATCH", $"channels/{Channel}/messages/580000000000000001"));
        Assert.Empty(edit.Json!["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Equal("@everyone look", edit.Json["content"]!.GetValue<string>());
    }

    private static IHost BuildHost(FakeDiscordServer discord) =>
        DiscordTestHost.Build(discord, null, new FakeConversationEngine(), new InMemoryKeyValueStore(), TimeProvider.System);
}
