using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Discord;

namespace ChatBots.Discord.Tests;

public sealed class AdapterTests
{
    private const string Channel = "510000000000000001";
    private const string OtherChannel = "510000000000000002";
    private const string DmChannel = "520000000000000001";
    private static readonly TimeSpan Guard = DiscordTestHost.Guard;

    [Fact]
    public async Task Adapter_MentionWithNickFormat_AnsweredWithMentionStripped()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        JsonObject message = DiscordPayloads.GuildMessage(Channel, $"<@!{FakeDiscordServer.BotUserId}>   what   is 2+2?");

        await env.SendMessageAsync(message);
        RecordedRequest reply = await env.WaitForPostAsync(Channel);

        IncomingMessage incoming = Assert.Single(env.Engine.Received);
        Assert.Equal("what is 2+2?", incoming.Text);
        Assert.Equal(new ConversationKey(Platform.Discord, Channel), incoming.Conversation);
        Assert.True(incoming.IsGroup);
        Assert.Equal("Alice", incoming.AuthorName);
        Assert.Equal(DiscordPayloads.UserId, incoming.AuthorId);
        Assert.Equal("echo: what is 2+2?", reply.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adapter_ReplyToBot_AnsweredAsReply()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        JsonObject message = DiscordPayloads.ReplyToBot(Channel, "and then?", botMessageId: FakeDiscordServer.NewId());

        string trigger = await env.SendMessageAsync(message);
        RecordedRequest reply = await env.WaitForPostAsync(Channel);

        Assert.Equal("echo: and then?", reply.Json!["content"]!.GetValue<string>());
        Assert.Equal(trigger, reply.Json["message_reference"]!["message_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adapter_DirectMessage_AnsweredAsPrivateConversation()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();

        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "hi bot"));
        RecordedRequest reply = await env.WaitForPostAsync(DmChannel);

        IncomingMessage incoming = Assert.Single(env.Engine.Received);
        Assert.False(incoming.IsGroup);
        Assert.Equal(new ConversationKey(Platform.Discord, DmChannel), incoming.Conversation);
        Assert.Equal("echo: hi bot", reply.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adapter_MentionInThreadCreatedByUser_AnsweredThereAsItsOwnConversation()
    {
        const string thread = "530000000000000001";
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:ThreadPerConversation"] = "true" });
        await env.WaitReadyAsync();

        // A user opens a public thread under the channel; messages in it carry the thread's id as channel_id.
        await env.Discord.SendDispatchAsync("THREAD_CREATE", new JsonObject
        {
            ["id"] = thread,
            ["type"] = 11,
            ["guild_id"] = DiscordPayloads.GuildId,
            ["parent_id"] = Channel,
            ["owner_id"] = DiscordPayloads.UserId,
            ["name"] = "side topic",
            ["thread_metadata"] = new JsonObject { ["archived"] = false, ["auto_archive_duration"] = 1440, ["locked"] = false },
        });
        string inChannel = await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "in the channel", mentionBot: true));
        string inThread = await env.SendMessageAsync(DiscordPayloads.GuildMessage(thread, "in the thread", mentionBot: true));
        RecordedRequest reply = await env.WaitForPostAsync(thread, r => r.Json?["content"]?.GetValue<string>() == "echo: in the thread");
        await env.WaitForPostAsync(inChannel); // the thread opened from the channel mention (its id is the message id)

        IncomingMessage threadMessage = Assert.Single(env.Engine.Received, m => m.Text == "in the thread");
        IncomingMessage channelMessage = Assert.Single(env.Engine.Received, m => m.Text == "in the channel");
        Assert.Equal(new ConversationKey(Platform.Discord, thread), threadMessage.Conversation);
        Assert.NotEqual(channelMessage.Conversation, threadMessage.Conversation);
        Assert.Equal(inThread, reply.Json!["message_reference"]!["message_id"]!.GetValue<string>());

        // Already a thread: answered in place; only the channel mention opened a new thread.
        Assert.Empty(env.Discord.RequestsTo("POST", $"channels/{thread}/messages/.*/threads"));
        Assert.Single(env.Discord.RequestsTo("POST", $"channels/{Channel}/messages/.*/threads"));
        Assert.Empty(env.Discord.RequestsTo("POST", $"channels/{Channel}/messages")); // the whole path: not .../threads
    }

    [Fact]
    public async Task Adapter_MentionReplayedAfterRestartWhoseThreadExists_ContinuesInThatThread()
    {
        string trigger = FakeDiscordServer.NewId();
        var store = new ChatBots.Testing.Engine.InMemoryKeyValueStore();
        await store.SetAsync("discord:thread:" + trigger, Channel, CancellationToken.None);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:ThreadPerConversation"] = "true" }, store: store);
        await env.WaitReadyAsync();

        // The thread opened from this message in an earlier run (thread id = message id); a replay must not open another.
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "plan my trip", mentionBot: true, id: trigger));
        await env.WaitForPostAsync(trigger);

        Assert.Empty(env.Discord.RequestsTo("POST", ".*/threads"));
        IncomingMessage incoming = Assert.Single(env.Engine.Received);
        Assert.Equal(new ConversationKey(Platform.Discord, trigger), incoming.Conversation);
        Assert.Equal(trigger, incoming.MessageId);
    }

    [Fact]
    public async Task Adapter_ReplyToBotWithoutReferencedMessage_AnsweredByMessageIdTheBotSent()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "first question", mentionBot: true));
        RecordedRequest answer = await env.WaitForPostAsync(Channel);
        string botMessageId = System.Text.Json.Nodes.JsonNode.Parse(answer.ResponseBody!)!["id"]!.GetValue<string>();

        // The adapter has the id once the sink read the created message: it says so.
        await env.WaitForLogAsync(3103, r => DiscordTestHost.Field(r, "MessageId") == botMessageId);

        // Discord did not load referenced_message: only message_reference says what was replied to.
        JsonObject toBot = DiscordPayloads.ReplyToBot(Channel, "and a follow-up", botMessageId);
        toBot.Remove("referenced_message");
        JsonObject toSomeoneElse = DiscordPayloads.ReplyToBot(Channel, "not for the bot", FakeDiscordServer.NewId());
        toSomeoneElse.Remove("referenced_message");
        await env.SendMessageAsync(toSomeoneElse);
        await env.SendMessageAsync(toBot);
        await env.WaitForPostAsync(Channel, r => r.Json?["content"]?.GetValue<string>() == "echo: and a follow-up");
        await env.Engine.WhenIdleAsync();

        Assert.Equal(["first question", "and a follow-up"], env.Engine.Received.Select(m => m.Text));
    }

    [Fact]
    public async Task Adapter_ReplyPostRateLimited_ReplyArrivesOnceAfterRetryAfter()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        env.Discord.ScriptRateLimit("POST", $"channels/{Channel}/messages", retryAfterSeconds: 0.4, global: false, bucket: "reply-bucket");

        string trigger = await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "busy day", mentionBot: true));
        await env.WaitForPostAsync(Channel);
        await env.Engine.WhenIdleAsync();

        IReadOnlyList<RecordedRequest> attempts = env.Discord.RequestsTo("POST", $"channels/{Channel}/messages");
        Assert.Equal([429, 200], attempts.Select(a => a.Status));
        Assert.True(TimeProvider.System.GetElapsedTime(attempts[0].Timestamp, attempts[1].Timestamp) >= TimeSpan.FromMilliseconds(350));
        Assert.All(attempts, a => Assert.Equal("echo: busy day", a.Json!["content"]!.GetValue<string>()));
        Assert.All(attempts, a => Assert.Equal(trigger, a.Json!["message_reference"]!["message_id"]!.GetValue<string>()));
        Assert.Equal(attempts[0].Json!["nonce"]!.GetValue<string>(), attempts[1].Json!["nonce"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adapter_RestUnauthorizedDuringSession_FaultsNamingTokenAndStopsGateway()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        FakeGatewayConnection connection = await env.WaitReadyAsync();
        env.Discord.ScriptResponse("POST", $"channels/{Channel}/messages", 401, """{"message":"401: Unauthorized","code":0}""");

        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "hello?", mentionBot: true));
        await DiscordTestHost.WaitUntilAsync(() => env.Status.IsFaulted);

        // Token revoked or reset in the portal: readiness goes false and the operator is told which key to fix.
        Assert.False(env.Status.IsConnected);
        Assert.Contains("Discord:BotToken", env.Status.FaultReason, StringComparison.Ordinal);
        Assert.Contains(env.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Critical && r.Message.Contains("Discord:BotToken", StringComparison.Ordinal));

        // The adapter faults after the gateway loop returned: the socket is closed and nothing reconnects.
        Assert.NotNull(await connection.Closed.WaitAsync(Guard));
        Assert.Single(env.Discord.Connections);
        Assert.Single(env.Discord.RequestsTo("POST", $"channels/{Channel}/messages"));
        Assert.False(env.Sentinel.Stopped);
    }

    [Fact]
    public async Task Adapter_ThreadPerConversation_OpensThreadAndAnswersFollowUpsThere()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:ThreadPerConversation"] = "true" });
        await env.WaitReadyAsync();

        string trigger = await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "Plan my trip\nto Rome", mentionBot: true));
        RecordedRequest create = await env.Discord.WaitForRequestAsync(r => r.Method == "POST" && r.Path == $"channels/{Channel}/messages/{trigger}/threads", Guard);
        RecordedRequest reply = await env.WaitForPostAsync(trigger); // the thread id equals the message id

        Assert.Equal("Plan my trip", create.Json!["name"]!.GetValue<string>());
        Assert.Null(reply.Json!["message_reference"]);
        Assert.Equal(new ConversationKey(Platform.Discord, trigger), env.Engine.Received[0].Conversation);

        // A follow-up in the bot's thread needs no mention.
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(trigger, "and hotels?"));
        await env.WaitForPostAsync(trigger, r => r.Json?["content"]?.GetValue<string>() == "echo: and hotels?");
        Assert.Equal("discord:thread:" + trigger, Assert.Single(await env.Store.ListAsync("discord:thread:", CancellationToken.None)).Key);
    }

    [Fact]
    public async Task Adapter_AnswerAllChannel_AnswersWithoutMention()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:AnswerAllChannelIds:0"] = Channel });
        await env.WaitReadyAsync();

        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "anyone?"));
        RecordedRequest reply = await env.WaitForPostAsync(Channel);

        Assert.Equal("echo: anyone?", reply.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adapter_ChatterOwnAndBotMessages_Ignored()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();
        JsonObject webhook = DiscordPayloads.GuildMessage(Channel, "from a webhook", mentionBot: true);
        webhook["webhook_id"] = "540000000000000001";
        JsonObject pinned = DiscordPayloads.GuildMessage(Channel, "pinned", mentionBot: true);
        pinned["type"] = 6;

        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "just chatting"));
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(OtherChannel, "reply to someone else"));

        // The bot's own user id without "bot": true: only the self-id check can reject it.
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "my own answer", mentionBot: true, author: DiscordPayloads.User(FakeDiscordServer.BotUserId, "chatbots", null, bot: false)));
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "my own DM", author: DiscordPayloads.User(FakeDiscordServer.BotUserId, "chatbots", null, bot: false)));
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "another bot", mentionBot: true, author: DiscordPayloads.User("550000000000000001", "otherbot", null, bot: true)));
        await env.SendMessageAsync(webhook);
        await env.SendMessageAsync(pinned);
        await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "marker"));

        // Dispatches are handled in order: once the marker is answered, everything before it was judged.
        await env.WaitForPostAsync(DmChannel);
        IncomingMessage only = Assert.Single(env.Engine.Received);
        Assert.Equal("marker", only.Text);
        Assert.Empty(env.Discord.RequestsTo("POST", $"channels/{Channel}/messages"));
    }

    [Fact]
    public async Task Adapter_LongAnswer_ThreeOrderedPartsWithBalancedFences()
    {
        string answer = LongAnswer();
        Assert.True(answer.Length >= 5000);
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        env.Engine.Responder = (_, _) => Task.FromResult(answer);
        await env.WaitReadyAsync();

        string trigger = await env.SendMessageAsync(DiscordPayloads.DirectMessage(DmChannel, "explain"));
        await DiscordTestHost.WaitUntilAsync(() => env.Engine.Received.Count == 1);
        await env.Engine.WhenIdleAsync();

        IReadOnlyList<RecordedRequest> posts = env.Discord.RequestsTo("POST", $"channels/{DmChannel}/messages");
        Assert.Equal(3, posts.Count);
        List<string> parts = [.. posts.Select(p => p.Json!["content"]!.GetValue<string>())];
        Assert.All(parts, p => Assert.True(p.Length <= 2000, $"part of {p.Length} chars"));
        Assert.All(parts, p => Assert.Equal(0, p.Split('\n').Count(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal)) % 2));
        Assert.All(posts, p => Assert.Empty(p.Json!["allowed_mentions"]!["parse"]!.AsArray()));
        Assert.Equal(trigger, posts[0].Json!["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.Null(posts[1].Json!["message_reference"]);
        Assert.StartsWith("Paragraph 0:", parts[0], StringComparison.Ordinal);
        Assert.Contains("Paragraph 19:", parts[2], StringComparison.Ordinal);
        // Nothing lost or reordered: the same words, apart from the fences added to close and reopen the code block.
        Assert.Equal(ContentWords(answer), ContentWords(string.Join("\n", parts)));
    }

    [Fact]
    public async Task Adapter_VoiceMessage_MappedToAudioAndDownloadedFromCdnWithoutToken()
    {
        byte[] ogg = [0x4F, 0x67, 0x67, 0x53, 1, 2, 3, 4, 5];
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        string url = env.Discord.AddCdnFile("attachments/1/2/voice-message.ogg", ogg);
        byte[]? downloaded = null;
        env.Engine.Responder = async (m, ct) =>
        {
            await using Stream stream = await m.Audio!.OpenAsync(ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            downloaded = copy.ToArray();
            return "heard you";
        };
        await env.WaitReadyAsync();

        await env.SendMessageAsync(DiscordPayloads.VoiceMessage(DmChannel, url, ogg.Length, 3.5));
        await env.WaitForPostAsync(DmChannel);

        AudioAttachment audio = Assert.Single(env.Engine.Received).Audio!;
        Assert.Equal("voice-message.ogg", audio.FileName);
        Assert.Equal("audio/ogg", audio.MimeType);
        Assert.Equal(ogg.Length, audio.SizeBytes);
        Assert.Equal(TimeSpan.FromSeconds(3.5), audio.Duration);
        Assert.Equal(ogg, downloaded);
        RecordedRequest cdn = Assert.Single(env.Discord.Requests, r => r.Path.StartsWith("cdn/", StringComparison.Ordinal));
        Assert.Null(cdn.Authorization);
    }

    [Fact]
    public async Task Adapter_VoiceMessageUrlExpired_FetchesMessageAgainForFreshUrl()
    {
        byte[] ogg = [0x4F, 0x67, 0x67, 0x53, 9, 9];
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        string fresh = env.Discord.AddCdnFile("attachments/1/3/fresh.ogg", ogg);
        JsonObject voice = DiscordPayloads.VoiceMessage(DmChannel, env.Discord.BaseUrl + "/cdn/attachments/1/3/expired.ogg", ogg.Length, 1.0);
        JsonObject refetched = (JsonObject)voice.DeepClone();
        refetched["attachments"]![0]!["url"] = fresh;
        env.Discord.AddMessage(refetched);
        byte[]? downloaded = null;
        env.Engine.Responder = async (m, ct) =>
        {
            await using Stream stream = await m.Audio!.OpenAsync(ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            downloaded = copy.ToArray();
            return "ok";
        };
        await env.WaitReadyAsync();

        string id = await env.SendMessageAsync(voice);
        await env.WaitForPostAsync(DmChannel);

        Assert.Equal(ogg, downloaded);
        Assert.Single(env.Discord.RequestsTo("GET", $"channels/{DmChannel}/messages/{id}"));
    }

    [Fact]
    public async Task Adapter_Start_RegistersSlashCommandsPerConfiguredGuild()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Discord:CommandGuildIds:0"] = DiscordPayloads.GuildId });

        RecordedRequest put = await env.Discord.WaitForRequestAsync(r => r.Method == "PUT", Guard);

        Assert.Equal($"applications/{FakeDiscordServer.ApplicationId}/guilds/{DiscordPayloads.GuildId}/commands", put.Path);
        List<string> names = [.. put.Json!.AsArray().Select(c => c!["name"]!.GetValue<string>())];
        Assert.Equal(["help", "reset", "usage", "summary"], names);
        Assert.All(put.Json!.AsArray(), c => Assert.Equal(1, c!["type"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Adapter_Start_RegistersGlobalSlashCommandsWithoutGuilds()
    {
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();

        RecordedRequest put = await env.Discord.WaitForRequestAsync(r => r.Method == "PUT", Guard);

        Assert.Equal($"applications/{FakeDiscordServer.ApplicationId}/commands", put.Path);
        Assert.Equal(4, put.Json!.AsArray().Count);
    }

    private static List<string> ContentWords(string text) =>
        [.. text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("```", StringComparison.Ordinal))];

    private static string LongAnswer()
    {
        var paragraphs = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            paragraphs.Add(i == 9
                ? "```csharp\n" + string.Join("\n", Enumerable.Range(0, 30).Select(n => $"var line{n} = Compute({n}); // step {n}")) + "\n```"
                : $"Paragraph {i}: " + string.Join(" ", Enumerable.Repeat("words that explain the idea.", 7)));
        }

        return string.Join("\n\n", paragraphs);
    }
}
