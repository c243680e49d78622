using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Discord;

namespace ChatBots.Discord.Tests;

public sealed class InteractionTests
{
    private const string Channel = "560000000000000001";
    private const string DmChannel = "560000000000000002";
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

    [Fact]
    public async Task SlashCommand_TokenExpiredBeforeSlowAnswer_AnswerPostedInChannelAndAdapterKeepsRunning()
    {
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:InteractionDeferAfter"] = "00:00:00.100" });
        env.Engine.Responder = (m, _) => m.Text == "/summary" ? release.Task : Task.FromResult($"echo: {m.Text}");
        await env.WaitReadyAsync();
        JsonObject interaction = DiscordPayloads.SlashCommand("summary", Channel);
        string id = interaction["id"]!.GetValue<string>();
        string token = interaction["token"]!.GetValue<string>();
        await env.Discord.SendDispatchAsync("INTERACTION_CREATE", interaction);
        await env.Discord.WaitForRequestAsync(r => r.Path == $"interactions/{id}/{token}/callback", Guard);

        // More than 15 minutes later Discord refuses the interaction token (not the bot token) with 401 / 50027.
        env.Discord.ScriptResponse("PATCH", $"webhooks/{FakeDiscordServer.ApplicationId}/{token}/messages/@original", 401, """{"message":"Invalid Webhook Token","code":50027}""");
        release.SetResult("Here is your summary @everyone.");
        RecordedRequest post = await env.WaitForPostAsync(Channel);

        // The answer still reaches the channel, pinging nobody, and only that request failed.
        Assert.Equal("Here is your summary @everyone.", post.Json!["content"]!.GetValue<string>());
        Assert.Empty(post.Json["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Null(post.Json["message_reference"]);
        Assert.Equal(id + "a0", post.Json["nonce"]!.GetValue<string>());
        Assert.Single(env.Discord.RequestsTo("PATCH", "webhooks/.*"), r => r.Status == 401);
        Assert.False(env.Status.IsFaulted);
        Assert.True(env.Status.IsConnected);
        Assert.DoesNotContain(env.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Critical);

        // The bot token is fine: the next message is answered as usual.
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "still there?"));
        RecordedRequest next = await env.WaitForPostAsync(DmChannel);
        Assert.Equal("echo: still there?", next.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task SlashCommand_ReplyToItsAnswerWithoutReferencedMessage_AnsweredAsReplyToBot()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        JsonObject interaction = DiscordPayloads.SlashCommand("usage", Channel);
        string id = interaction["id"]!.GetValue<string>();

        await env.Discord.SendDispatchAsync("INTERACTION_CREATE", interaction);
        RecordedRequest callback = await env.Discord.WaitForRequestAsync(r => r.Path.StartsWith($"interactions/{id}/", StringComparison.Ordinal), Guard);
        string answerId = JsonNode.Parse(callback.ResponseBody!)!["resource"]!["message"]!["id"]!.GetValue<string>();
        await env.WaitForLogAsync(3204, r => DiscordTestHost.Field(r, "MessageId") == answerId);

        // A reply to the slash command's answer, without referenced_message: only the recorded id says it is the bot's.
        JsonObject reply = DiscordPayloads.ReplyToBot(Channel, "explain that", answerId);
        reply.Remove("referenced_message");
        await env.SendMessageAsync(reply);
        RecordedRequest answer = await env.WaitForPostAsync(Channel);

        Assert.Equal("?with_response=true", callback.Query);
        Assert.Equal("echo: explain that", answer.Json!["content"]!.GetValue<string>());
    }
}
