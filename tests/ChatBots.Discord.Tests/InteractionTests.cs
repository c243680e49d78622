using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Discord;

namespace ChatBots.Discord.Tests;

public sealed class InteractionTests
{
    private const string Channel = "560000000000000001";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task SlashCommand_SlowEngine_DeferredThenOriginalEditedWithAnswer()
    {
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:InteractionDeferAfter"] = "00:00:00.200" });
        env.Engine.Responder = (_, _) => release.Task;
        await env.WaitReadyAsync();
        JsonObject interaction = DiscordPayloads.SlashCommand("usage", Channel);
        string id = interaction["id"]!.GetValue<string>();
        string token = interaction["token"]!.GetValue<string>();

        await env.Discord.SendDispatchAsync("INTERACTION_CREATE", interaction);
        RecordedRequest deferred = await env.Discord.WaitForRequestAsync(r => r.Path == $"interactions/{id}/{token}/callback", Guard);
        Assert.Equal(5, deferred.Json!["type"]!.GetValue<int>());
        Assert.Empty(env.Discord.RequestsTo("PATCH", "webhooks/.*"));

        release.SetResult("You used 1,234 tokens today.");
        RecordedRequest edit = await env.Discord.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path == $"webhooks/{FakeDiscordServer.ApplicationId}/{token}/messages/@original", Guard);

        Assert.Equal("You used 1,234 tokens today.", edit.Json!["content"]!.GetValue<string>());
        Assert.Empty(edit.Json["allowed_mentions"]!["parse"]!.AsArray());
        IncomingMessage incoming = Assert.Single(env.Engine.Received);
        Assert.Equal("/usage", incoming.Text);
        Assert.Equal(id, incoming.MessageId); // the engine deduplicates replays by it
        Assert.Equal(new ConversationKey(Platform.Discord, Channel), incoming.Conversation);
        Assert.True(incoming.IsGroup);
        Assert.Single(env.Discord.RequestsTo("POST", $"interactions/{id}/.*"));
    }

    [Fact]
    public async Task SlashCommand_QuickEngine_AnsweredDirectlyWithoutDeferring()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        JsonObject interaction = DiscordPayloads.SlashCommand("help", Channel, inGuild: false);
        string id = interaction["id"]!.GetValue<string>();

        await env.Discord.SendDispatchAsync("INTERACTION_CREATE", interaction);
        RecordedRequest callback = await env.Discord.WaitForRequestAsync(r => r.Path.StartsWith($"interactions/{id}/", StringComparison.Ordinal), Guard);
        await env.Engine.WhenIdleAsync();

        Assert.Equal(4, callback.Json!["type"]!.GetValue<int>());
        Assert.Equal("echo: /help", callback.Json["data"]!["content"]!.GetValue<string>());
        Assert.Empty(callback.Json["data"]!["allowed_mentions"]!["parse"]!.AsArray());
        Assert.False(Assert.Single(env.Engine.Received).IsGroup);
        Assert.Single(env.Discord.RequestsTo("POST", $"interactions/{id}/.*"));
        Assert.Empty(env.Discord.RequestsTo("PATCH", "webhooks/.*"));
    }
}
