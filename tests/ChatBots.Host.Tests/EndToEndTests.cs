using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using ChatBots.Engine.Models;
using ChatBots.Host.Cli;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Fixtures;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Process;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Host.Tests;

/// <summary>
/// The real <c>chatbots</c> executable as a child process (built once, with this project) against the fake Telegram
/// Bot API, the fake Discord gateway and REST, and the fake OpenAI server on loopback. Waits are on signals — log
/// lines, requests the fakes received — with generous guards against hangs only.
/// </summary>
public sealed class EndToEndTests
{
    private const long Alice = 1001;
    private const long Bob = 1002;
    private const string DiscordDm = "700000000000000055";

    [Fact]
    public async Task Run_ConversationsShutdownAndRestart_HistoryContinuesNothingLostOrRepeatedLedgerAddsUp()
    {
        using var dir = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        await using FakeTelegramBotApi telegram = await FakeTelegramBotApi.StartAsync();
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        // Discord's own interval (41.25 s), not the fake's 300 ms: on a loaded machine a missed 300 ms ACK makes the
        // client reconnect, and /readyz would catch it between connections.
        discord.HeartbeatInterval = TimeSpan.FromSeconds(41.25);
        var served = new ConcurrentQueue<FakeUsage>();
        var slowArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseSlow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        openai.DefaultChatResponder = request =>
        {
            // Distinct usage per call, so the ledger's totals can only match if every call was recorded once.
            var usage = new FakeUsage(100 + (7 * served.Count), 10 + served.Count);
            served.Enqueue(usage);
            var reply = FakeChatReply.WithText($"reply to: {request.LastUserText}", usage);
            if (request.LastUserText == "slow question")
            {
                slowArrived.TrySetResult();
                return reply with { Gate = releaseSlow.Task };
            }

            return reply;
        };
        // The server reports the duration it bills (longer than the note's declared 6 s and measured 6.124 s): the ledger bills that.
        openai.DefaultAudioResponder = _ => FakeAudioReply.WithText("hello from the voice note", TimeSpan.FromSeconds(7.5));
        byte[] ogg = VoiceFixtures.Read("hello-en.ogg");
        telegram.AddFile("voice-e2e", ogg);
        Dictionary<string, string?> settings = ChildBot.Settings(openai, telegram, discord);
        var textUpdates = new List<(int MessageId, string Text)>();

        // First run: a conversation on each platform, a voice note, then SIGTERM while a reply is in flight.
        await using (ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run"))
        {
            Uri health = await ChildBot.HealthAddressAsync(bot);

            Say(telegram, Alice, "my name is Alice", textUpdates);
            Assert.Equal("reply to: my name is Alice", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
            Say(telegram, Alice, "what is my name?", textUpdates);
            Assert.Equal("reply to: what is my name?", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
            RecordedChatRequest secondTurn = openai.ChatRequests.Single(r => r.LastUserText == "what is my name?");
            Assert.Contains(secondTurn.Messages, m => m.Role == "user" && m.Content.Contains("my name is Alice", StringComparison.Ordinal));
            Assert.Contains(secondTurn.Messages, m => m.Role == "assistant" && m.Content == "reply to: my name is Alice");

            await bot.WaitForOutputAsync("Discord READY", ChildBot.Guard);
            await discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DiscordDm, "my colour is teal"));
            await DiscordReplyAsync(discord, "reply to: my colour is teal");
            await discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DiscordDm, "what is my colour?"));
            await DiscordReplyAsync(discord, "reply to: what is my colour?");
            RecordedChatRequest discordSecond = openai.ChatRequests.Single(r => r.LastUserText == "what is my colour?");
            Assert.Contains(discordSecond.Messages, m => m.Role == "user" && m.Content.Contains("my colour is teal", StringComparison.Ordinal));
            Assert.Contains(discordSecond.Messages, m => m.Role == "assistant" && m.Content == "reply to: my colour is teal");

            // Both adapters have answered, so both are connected.
            using (var http = new HttpClient())
            {
                Assert.Equal("ok", await http.GetStringAsync(new Uri(health, "/healthz")));
                using HttpResponseMessage ready = await http.GetAsync(new Uri(health, "/readyz"));
                string readyBody = await ready.Content.ReadAsStringAsync();
                JsonArray adapters = JsonNode.Parse(readyBody)!.AsArray();
                Assert.True(ready.StatusCode == HttpStatusCode.OK, readyBody);
                Assert.Equal(["telegram", "discord"], adapters.Select(a => a!["name"]!.GetValue<string>()));
                Assert.All(adapters, a => Assert.True(a!["connected"]!.GetValue<bool>()));
            }

            telegram.EnqueueMessage(TelegramUpdates.PrivateVoice(Bob, "voice-e2e", "voice-e2e-unique", durationSeconds: 6, fileSize: ogg.Length));
            Assert.Contains("hello from the voice note", (await telegram.NextMessageAsync(Bob, ChildBot.Guard)).Text, StringComparison.Ordinal);
            Assert.Equal("reply to: hello from the voice note", (await telegram.NextMessageAsync(Bob, ChildBot.Guard)).Text);

            Say(telegram, Alice, "slow question", textUpdates);
            await slowArrived.Task.WaitAsync(ChildBot.Guard);
            bot.SendTerminate();
            await EngineRefusesMessages.WaitAsync(bot);
            // Arrives while the engine drains (it cannot finish: the model is held), so Telegram is still receiving.
            int lateUpdate = Say(telegram, Alice, "sent during shutdown", textUpdates);
            await bot.WaitForOutputAsync($"Telegram update {lateUpdate}: the engine is stopping", ChildBot.Guard);
            releaseSlow.TrySetResult();

            Assert.Equal(0, await bot.WaitForExitAsync(ChildBot.Guard));
            Assert.Equal("reply to: slow question", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
            Assert.DoesNotContain(telegram.SentMessages, m => m.Text.Contains("sent during shutdown", StringComparison.Ordinal));
        }

        // Second run on the same data: the update that arrived during shutdown is answered, once, and history continues.
        // Discord redelivers the DMs it already delivered when the session resumes (at-least-once): they are not answered again.
        discord.ResumeReplayOverlap = 2;
        await using (ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run"))
        {
            Assert.Equal("reply to: sent during shutdown", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
            Say(telegram, Alice, "what did we talk about?", textUpdates);
            Assert.Equal("reply to: what did we talk about?", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
            RecordedChatRequest afterRestart = openai.ChatRequests.Single(r => r.LastUserText == "what did we talk about?");
            string[] history = ["my name is Alice", "reply to: my name is Alice", "what is my name?", "reply to: what is my name?", "slow question", "reply to: slow question", "sent during shutdown", "reply to: sent during shutdown"];
            Assert.All(history, text => Assert.Contains(afterRestart.Messages, m => m.Content.Contains(text, StringComparison.Ordinal)));

            // Dispatches of one channel are handled in order: once this is answered, the redelivered ones were handled too.
            await bot.WaitForOutputAsync("Discord session resumed", ChildBot.Guard);
            await discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DiscordDm, "are you back?"));
            await DiscordReplyAsync(discord, "reply to: are you back?");

            Assert.Equal(0, await bot.TerminateAsync(ChildBot.Guard));
        }

        // No message answered twice (or not at all), on either platform, in either run. Both processes have exited, so
        // nothing can still arrive.
        Assert.All(textUpdates, update => Assert.Single(telegram.SentMessages, m => m.ReplyToMessageId == update.MessageId));
        Assert.Equal(textUpdates.Count, telegram.SentMessages.Count(m => m.ChatId == Alice));
        TelegramSentMessage[] toBob = [.. telegram.SentMessages.Where(m => m.ChatId == Bob)];
        Assert.Equal(2, toBob.Length);
        Assert.Contains("hello from the voice note", toBob[0].Text, StringComparison.Ordinal);
        Assert.Equal("reply to: hello from the voice note", toBob[1].Text);
        Assert.Equal(
            ["reply to: my colour is teal", "reply to: what is my colour?", "reply to: are you back?"],
            discord.RequestsTo("POST", $"^channels/{DiscordDm}/messages$").Select(r => r.Json?["content"]?.GetValue<string>()));

        // One model call per answer: no retries, no second call for a redelivered message, no summary (the history is short).
        const int DiscordAnswers = 3;
        const int VoiceAnswers = 1;
        Assert.Equal(textUpdates.Count + DiscordAnswers + VoiceAnswers, served.Count);
        Assert.Single(openai.AudioRequests);

        // The ledger holds what the fake served, priced from the catalogue: the same calls, tokens and cost.
        IReadOnlyDictionary<string, UsageLine> usage = await ChildBot.UsageByModelAsync(dir.Path);
        using IHost cli = CliServices.CreateBuilder([]).Build();
        ModelCatalogue catalogue = cli.Services.GetRequiredService<ModelCatalogue>();
        ModelPrices chatPrices = catalogue.Resolve("gpt-6-luna").Prices;
        ModelPrices audioPrices = catalogue.Resolve("gpt-4o-mini-transcribe").Prices;
        UsageLine chat = usage["gpt-6-luna"];
        Assert.Equal(served.Count, chat.Calls);
        Assert.Equal(served.Sum(u => (long)u.PromptTokens), chat.Input);
        Assert.Equal(0, chat.Cached);
        Assert.Equal(served.Sum(u => (long)u.CompletionTokens), chat.Output);
        long chatCost = served.Sum(u => chatPrices.ChatCost(u.PromptTokens, 0, u.CompletionTokens).Value);
        Assert.Equal(chatCost, chat.CostMicroUsd);
        UsageLine transcription = usage["gpt-4o-mini-transcribe"];
        Assert.Equal(1, transcription.Calls);
        Assert.Equal(7.5m, transcription.AudioSeconds);
        long audioCost = audioPrices.AudioCost(7.5m).Value;
        Assert.Equal(audioCost, transcription.CostMicroUsd);
        Assert.Equal(served.Count + 1, usage["total"].Calls);
        Assert.Equal(chatCost + audioCost, usage["total"].CostMicroUsd);
    }

    [Fact]
    public async Task Run_DiscordTokenRejectedAndTinyBudget_TelegramAnswersThenRefusesWithoutAModelCall()
    {
        using var dir = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        openai.DefaultChatResponder = r => FakeChatReply.WithText($"reply to: {r.LastUserText}", 1_000, 100);
        await using FakeTelegramBotApi telegram = await FakeTelegramBotApi.StartAsync();
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        discord.CloseOnIdentify = 4004;
        Dictionary<string, string?> settings = ChildBot.Settings(openai, telegram, discord);
        settings["Budgets__UserDailyUsd"] = "0.00001";
        var textUpdates = new List<(int MessageId, string Text)>();

        await using ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run");
        Uri health = await ChildBot.HealthAddressAsync(bot);
        await bot.WaitForOutputAsync("Discord adapter stopped: Discord rejected the bot token (close 4004)", ChildBot.Guard);

        Say(telegram, Alice, "one", textUpdates);
        Assert.Equal("reply to: one", (await telegram.NextMessageAsync(Alice, ChildBot.Guard)).Text);
        int calls = openai.ChatRequests.Count;
        Say(telegram, Alice, "two", textUpdates);
        TelegramSentMessage refusal = await telegram.NextMessageAsync(Alice, ChildBot.Guard);

        Assert.Contains("your daily budget of $0.00001 is used up", refusal.Text, StringComparison.Ordinal);
        Assert.Equal(calls, openai.ChatRequests.Count);
        using var http = new HttpClient();
        using HttpResponseMessage ready = await http.GetAsync(new Uri(health, "/readyz"));
        JsonArray adapters = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        JsonNode discordState = Assert.Single(adapters, a => a!["name"]!.GetValue<string>() == "discord")!;
        Assert.False(discordState["connected"]!.GetValue<bool>());
        Assert.Contains("Discord:BotToken", discordState["fault"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Assert.Single(adapters, a => a!["name"]!.GetValue<string>() == "telegram")!["connected"]!.GetValue<bool>());
        Assert.False(bot.HasExited);
        Assert.Equal(0, await bot.TerminateAsync(ChildBot.Guard));
    }

    /// <summary>Queues a private text update from <paramref name="user"/>; returns its update_id.</summary>
    private static int Say(FakeTelegramBotApi telegram, long user, string text, List<(int MessageId, string Text)> sent)
    {
        JsonObject message = TelegramUpdates.PrivateText(user, text);
        sent.Add((message["message_id"]!.GetValue<int>(), text));
        return telegram.EnqueueMessage(message);
    }

    private static Task<RecordedRequest> DiscordReplyAsync(FakeDiscordServer discord, string text) =>
        discord.WaitForRequestAsync(
            r => r.Method == "POST" && r.Path == $"channels/{DiscordDm}/messages" && r.Json?["content"]?.GetValue<string>() == text,
            ChildBot.Guard);
}
