using System.Text.Json.Nodes;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;
using ChatBots.Testing;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.AI;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// The host is stopped at an arbitrary point and started again, with the real engine (which honours its cancellation
/// token) and two-part answers: every part of every answer reaches the user exactly once, in order.
/// </summary>
public sealed class TelegramRestartTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly ConversationKey Chat = new(Platform.Telegram, "42");

    private static string Filler => string.Join(' ', Enumerable.Repeat("lorem", 500));

    /// <summary>Two paragraphs of about 3,000 characters each: two messages.</summary>
    private static string[] PartsFor(string question) => [$"{question} A {Filler}", $"{question} B {Filler}"];

    private static FakeReply Answer(RecordedPrompt prompt) =>
        new(string.Join("\n\n", PartsFor(prompt.Messages[^1].Text)), new UsageDetails { InputTokenCount = 50, OutputTokenCount = 1000, TotalTokenCount = 1050 });

    /// <param name="stop">
    /// <c>drained</c>: a graceful stop while answers flow; <c>model</c>: the shutdown timeout ran out while the model
    /// answered message <paramref name="at"/>; <c>429</c>: while part B of the first answer waits on a 429;
    /// <c>offset</c>: after the first updates were accepted, before their offset was saved.
    /// </param>
    /// <param name="at">For <c>model</c>, the message the model is answering when the host stops.</param>
    [Theory]
    [InlineData("drained", 0)]
    [InlineData("model", 1)]
    [InlineData("model", 3)]
    [InlineData("429", 0)]
    [InlineData("offset", 0)]
    public async Task Restart_AtAnArbitraryPoint_EveryPartOfEveryAnswerSentExactlyOnce(string stop, int at)
    {
        // The 429's ten-minute wait (capped at five) must not run out before the host stops.
        await using TestClock clock = TestClock.Start(maxDelay: TimeSpan.FromMinutes(1));
        await using FakeTelegramBotApi api = await FakeTelegramBotApi.StartAsync(time: clock.Time);
        var inner = new InMemoryKeyValueStore();
        var store = new GatedKeyValueStore(inner);
        var conversations = new InMemoryConversationStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new RealEngine { Store = conversations };
        first.Model.Responder = async (prompt, ct) =>
        {
            if (stop == "model" && prompt.Messages[^1].Text == $"m{at}")
            {
                // Never answers: the host stops meanwhile, and the engine cancels the call.
                await gate.Task.WaitAsync(ct);
            }

            return Answer(prompt);
        };
        if (stop == "429")
        {
            api.AddError(new TelegramScriptedError("sendMessage", 429, "Too Many Requests: retry after 600", RetryAfterSeconds: 600,
                When: p => FakeTelegramBotApi.GetString(p, "text")?.StartsWith("m1 B", StringComparison.Ordinal) == true));
        }

        if (stop == "offset")
        {
            store.Gate(UpdateJournal.OffsetKey);
        }

        var questions = new Dictionary<int, int>();
        void Send(int i)
        {
            JsonObject message = TelegramUpdates.PrivateText(42, $"m{i}");
            questions[(int)message["message_id"]!] = i;
            api.EnqueueMessage(message);
        }

        AdapterHost before = await AdapterHost.StartAsync(api, first, store, clock.Time);
        for (int i = 1; i <= 5; i++)
        {
            Send(i);
        }

        switch (stop)
        {
            case "drained":
                await Waiting.UntilAsync(() => api.SentMessages.Count >= 3, "the first answers");
                await before.StopAsync();
                break;
            case "model":
                await Waiting.UntilAsync(() => first.ChatCalls.Any(p => p.Messages[^1].Text == $"m{at}"), $"the model call for m{at}");
                await before.StopAbruptlyAsync();
                break;
            case "429":
                await Waiting.UntilAsync(() => api.Requests.Any(r => r.Method == "sendmessage" && r.StatusCode == 429), "the 429 on m1 B");
                await before.StopAbruptlyAsync();
                break;
            default:
                await store.Reached.Task.WaitAsync(Guard);
                await before.StopAbruptlyAsync();
                break;
        }

        await before.DisposeAsync();

        // Messages sent while the bot is down wait on the server.
        for (int i = 6; i <= 10; i++)
        {
            Send(i);
        }

        var second = new RealEngine { Store = conversations };
        second.Model.Responder = (prompt, _) => Task.FromResult(Answer(prompt));
        await using AdapterHost after = await AdapterHost.StartAsync(api, second, store, clock.Time);
        await Waiting.UntilAsync(
            async () => api.SentMessages.Count >= 20 && (await inner.ListAsync(UpdateJournal.PendingPrefix, CancellationToken.None)).Count == 0 && api.UnconfirmedUpdates == 0,
            "every update to be answered and confirmed");

        // Per question: part A then part B, each exactly once.
        Assert.Equal(20, api.SentMessages.Count);
        Assert.Equal(questions.Keys.Order(), api.SentMessages.Select(m => m.ReplyToMessageId!.Value).Distinct().Order());
        foreach (IGrouping<int, TelegramSentMessage> replies in api.SentMessages.GroupBy(m => m.ReplyToMessageId!.Value))
        {
            Assert.Equal(PartsFor($"m{questions[replies.Key]}"), replies.Select(m => m.Text));
        }

        // The model answered each question once (twice only for the call the shutdown cut off), and each answer is stored once.
        IEnumerable<RecordedPrompt> calls = first.ChatCalls.Concat(second.ChatCalls);
        for (int i = 1; i <= 10; i++)
        {
            int expected = stop == "model" && i == at ? 2 : 1;
            Assert.Equal(expected, calls.Count(p => p.Messages[^1].Text == $"m{i}"));
        }

        ConversationSnapshot history = await conversations.LoadAsync(Chat, CancellationToken.None);
        Assert.Equal(10, history.Turns.Count(t => t.Role == TurnRole.Assistant));
        Assert.Empty(await inner.ListAsync(UpdateJournal.DeliveredPrefix, CancellationToken.None));
    }
}
