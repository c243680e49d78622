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
    public async Task Adapter_MentionInsideThread_ThreadIsItsOwnConversation()
    {
        const string thread = "530000000000000001";
        await using DiscordTestHost env = await DiscordTestHost.StartAsync();
        await env.WaitReadyAsync();

        await env.SendMessageAsync(DiscordPayloads.GuildMessage(thread, "in a thread", mentionBot: true));
        RecordedRequest reply = await env.WaitForPostAsync(thread);

        Assert.Equal(new ConversationKey(Platform.Discord, thread), Assert.Single(env.Engine.Received).Conversation);
        Assert.Equal("echo: in a thread", reply.Json!["content"]!.GetValue<string>());
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
        await env.SendMessageAsync(DiscordPayloads.GuildMessage(Channel, "my own answer", mentionBot: true, author: DiscordPayloads.User(FakeDiscordServer.BotUserId, "chatbots", null, bot: true)));
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
