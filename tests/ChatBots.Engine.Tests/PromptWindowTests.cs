using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Tests;

public sealed class PromptWindowTests
{
    private const int Cap = 4_000;
    private const int MaxReply = 200;
    private const int SummaryMax = 150;

    private static EngineHarness SmallWindow() => EngineHarness.Create(s =>
    {
        s["Engine:ContextTokenCap"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        s["Engine:MaxReplyTokens"] = MaxReply.ToString(System.Globalization.CultureInfo.InvariantCulture);
        s["Engine:SummaryMaxTokens"] = SummaryMax.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Counts a recorded prompt independently of the engine: framing per message, names, reply priming.</summary>
    private static int CountPrompt(RecordedPrompt prompt)
    {
        var counter = new TokenCounter();
        return prompt.Messages.Sum(m => counter.CountMessage(m.Role, m.Text, m.Name, TokenEncodings.O200kBase)) + TokenCounter.ReplyPriming;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task Engine_LongRandomMixedConversation_EveryPromptWithinBudget(int seed, bool group)
    {
        var random = new Random(seed);
        await using EngineHarness harness = SmallWindow();
        var answers = new List<string>();
        harness.Model.Responder = (p, _) =>
        {
            if (p.IsSummary)
            {
                return Task.FromResult(new FakeReply("SUMMARY: " + MixedText.Next(random, 100, 400)));
            }

            string answer = MixedText.Next(random, 10, 500);
            lock (answers)
            {
                answers.Add(answer);
            }

            return Task.FromResult(new FakeReply(answer));
        };

        var sent = new List<string>();
        for (int i = 0; i < 120; i++)
        {
            string text = MixedText.Next(random, 5, 400);
            sent.Add(text);
            RecordingReplySinkAssert.HasAnswer(await harness.SendAsync(EngineHarness.Message(text, group: group, name: i % 2 == 0 ? "Alice" : "小明")));
        }

        var budget = WindowBudget.For(
            harness.Get<ModelCatalogue>().Resolve("gpt-4o-mini"),
            new EngineOptions { ContextTokenCap = Cap, MaxReplyTokens = MaxReply, SummaryMaxTokens = SummaryMax });
        Assert.Equal(Cap - MaxReply - 128, budget.Budget);
        Assert.Equal(120, harness.Model.ChatPrompts.Count);
        foreach (RecordedPrompt prompt in harness.Model.ChatPrompts)
        {
            int tokens = CountPrompt(prompt);
            Assert.True(tokens <= budget.Budget, $"prompt of {tokens} tokens exceeds the budget of {budget.Budget}");
            Assert.Equal(budget.ReservedOutput, prompt.MaxOutputTokens);
        }

        // Evictions happened, in chunks rather than one exchange per turn.
        int summaries = harness.Model.SummaryPrompts.Count;
        Assert.InRange(summaries, 2, 120 / 5);

        // Every text the user sent is either still verbatim in the history or reached a summary prompt.
        string summarised = string.Join("\n", harness.Model.SummaryPrompts.Select(p => p.Messages[^1].Text));
        var snapshot = await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None);
        var kept = snapshot.Turns.Select(t => t.Text).ToHashSet(StringComparer.Ordinal);
        foreach (string text in sent)
        {
            Assert.True(kept.Contains(text) || summarised.Contains(text, StringComparison.Ordinal), "a turn vanished without reaching the summary");
        }

        // The assistant's answers too: an evicted answer reaches a summary prompt as "Assistant: …".
        Assert.Equal(120, answers.Count);
        int answersSummarised = 0;
        foreach (string answer in answers)
        {
            bool inSummary = summarised.Contains("Assistant: " + answer, StringComparison.Ordinal);
            answersSummarised += inSummary ? 1 : 0;
            Assert.True(kept.Contains(answer) || inSummary, "an answer vanished without reaching the summary");
        }

        Assert.True(answersSummarised > 0, "some answers should have been folded into the summary");

        Assert.NotNull(snapshot.Summary);
        Assert.StartsWith("SUMMARY: ", snapshot.Summary!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_BetweenEvictions_PromptPrefixIsByteIdentical()
    {
        var random = new Random(7);
        await using EngineHarness harness = SmallWindow();
        var answers = new List<string>();
        harness.Model.Responder = (p, _) =>
        {
            if (p.IsSummary)
            {
                return Task.FromResult(new FakeReply("SUMMARY " + answers.Count));
            }

            string answer = MixedText.Next(random, 20, 300);
            answers.Add(answer);
            return Task.FromResult(new FakeReply(answer));
        };

        int summariesBefore = 0;
        RecordedPrompt? previous = null;
        int checkedPairs = 0;
        int evictionsSeen = 0;
        for (int i = 0; i < 80; i++)
        {
            await harness.SendAsync(EngineHarness.Message(MixedText.Next(random, 5, 300)));
            RecordedPrompt current = harness.Model.ChatPrompts[^1];
            int summariesNow = harness.Model.SummaryPrompts.Count;
            if (previous is not null)
            {
                if (summariesNow == summariesBefore)
                {
                    // Same prefix: everything the previous prompt held, then its answer, then the new message.
                    var expected = previous.Messages.Append(new RecordedMessage("assistant", null, answers[i - 1])).ToList();
                    Assert.True(current.Messages.Count == expected.Count + 1, "the prompt grew by more than one exchange");
                    Assert.Equal(expected, current.Messages.Take(expected.Count));
                    checkedPairs++;
                }
                else
                {
                    evictionsSeen++;
                    // After an eviction the summary sits right after the system prompt.
                    Assert.Equal("system", current.Messages[1].Role);
                    Assert.Contains("SUMMARY", current.Messages[1].Text, StringComparison.Ordinal);
                }
            }

            previous = current;
            summariesBefore = summariesNow;
        }

        Assert.True(evictionsSeen >= 2, "the conversation should have crossed the high-water mark several times");
        Assert.True(checkedPairs > evictionsSeen * 3, "most turns should keep the prefix");
    }

    [Fact]
    public async Task Engine_MessageLargerThanBudget_IsTruncatedWithNotice()
    {
        await using EngineHarness harness = SmallWindow();
        string huge = string.Concat(Enumerable.Repeat("人工智能正在改变世界。", 1_000));

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message(huge));

        Assert.Equal(Conversations.ReplyKind.Notice, sink.Replies[0].Kind);
        Assert.Contains("I read only its beginning", sink.Replies[0].Text, StringComparison.Ordinal);
        Assert.Equal(Conversations.ReplyKind.Answer, sink.Replies[^1].Kind);
        RecordedPrompt prompt = Assert.Single(harness.Model.ChatPrompts);
        Assert.True(CountPrompt(prompt) <= Cap - MaxReply - 128);
        Assert.StartsWith(prompt.Messages[^1].Text, huge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_SummaryModelIgnoresTheBound_StoredSummaryIsCutToSummaryMaxTokens()
    {
        var random = new Random(5);
        await using EngineHarness harness = SmallWindow();
        var counter = new TokenCounter();
        harness.Model.Responder = (p, _) => Task.FromResult(p.IsSummary
            ? new FakeReply("SUMMARY " + MixedText.Next(random, 3_000, 3_500))
            : new FakeReply(MixedText.Next(random, 100, 300)));

        var sent = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            sent.Add(MixedText.Next(random, 100, 300));
            await harness.SendAsync(EngineHarness.Message(sent[^1]));
        }

        Assert.NotEmpty(harness.Model.SummaryPrompts);
        // The first summary call folds the oldest exchanges, the very first message among them, with nothing before it.
        string firstFold = harness.Model.SummaryPrompts[0].Messages[^1].Text;
        Assert.StartsWith("New messages:\nUser: " + sent[0] + "\n", firstFold, StringComparison.Ordinal);
        Assert.DoesNotContain(sent[^1], firstFold, StringComparison.Ordinal);
        var snapshot = await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None);
        Assert.NotNull(snapshot.Summary);
        int tokens = counter.CountText(snapshot.Summary!.Text, TokenEncodings.O200kBase);
        Assert.InRange(tokens, SummaryMax - 8, SummaryMax);
        Assert.StartsWith("SUMMARY ", snapshot.Summary.Text, StringComparison.Ordinal);
        // Every summary the model saw afterwards (as "Summary so far") was the bounded one.
        Assert.All(harness.Model.ChatPrompts.Where(p => p.Messages.Count > 1 && p.Messages[1].Role == "system"), p =>
            Assert.True(counter.CountText(p.Messages[1].Text, TokenEncodings.O200kBase) <= SummaryMax + 16));
    }

    [Fact]
    public void Engine_SystemPromptLargerThanTheBudget_FailsAtStartNamingTheSettingAndTheBudget()
    {
        string huge = string.Concat(Enumerable.Repeat("Always answer politely and in detail. ", 2_500));

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => EngineHarness.Create(s => s["Engine:SystemPrompt"] = huge));

        string message = string.Join("\n", error.Failures);
        Assert.Contains("Engine:SystemPrompt is too long", message, StringComparison.Ordinal);
        // gpt-4o-mini under the default cap: 16,000 − 1,024 reply − 128 margin.
        Assert.Contains("of the budget of 14,848 tokens", message, StringComparison.Ordinal);
        Assert.Contains("Engine:ContextTokenCap", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_StoredSummaryLeavesNoRoomForTheMessage_ClearReplyAndNothingSentOverBudget()
    {
        // A summary written under a larger Engine:SummaryMaxTokens, then the cap lowered: nothing would fit.
        var store = new Testing.Engine.InMemoryConversationStore();
        var key = EngineHarness.Message("x").Conversation;
        string bigSummary = string.Concat(Enumerable.Repeat("The user likes teal and lives in Lisbon. ", 500));
        await store.ApplySummaryAsync(key, new Storage.ConversationSummary(bigSummary, 5_000, TokenEncodings.O200kBase, 0), CancellationToken.None);
        await using EngineHarness harness = EngineHarness.Create(s => s["Engine:ContextTokenCap"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture), store);

        RecordingReplySink sink = await harness.SendAsync(EngineHarness.Message("hello"));

        Conversations.OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(Conversations.ReplyKind.Error, reply.Kind);
        Assert.Contains("no room for a message", reply.Text, StringComparison.Ordinal);
        Assert.Contains("/reset", reply.Text, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Engine_SystemPrompt_HasDateNameAndPlatform()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(EngineHarness.Message("what day is it?"));

        string system = harness.Model.ChatPrompts[0].Messages[0].Text;
        Assert.Contains("Saturday, 28 November 2026", system, StringComparison.Ordinal);
        Assert.Contains("TestBot", system, StringComparison.Ordinal);
        Assert.Contains("Telegram", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_NextDay_SystemPromptHasTheNewDate()
    {
        await using EngineHarness harness = EngineHarness.Create();
        await harness.SendAsync(EngineHarness.Message("today?"));

        harness.Time.Advance(TimeSpan.FromDays(1));
        await harness.SendAsync(EngineHarness.Message("and now?"));

        Assert.Contains("Saturday, 28 November 2026", harness.Model.ChatPrompts[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("Sunday, 29 November 2026", harness.Model.ChatPrompts[1].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_GroupConversation_UserTurnsCarrySanitisedNames()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(EngineHarness.Message("hi", group: true, name: "Alice Smith"));
        await harness.SendAsync(EngineHarness.Message("你好", group: true, name: "小明", user: "777"));

        RecordedPrompt last = harness.Model.ChatPrompts[^1];
        Assert.Equal("Alice_Smith", last.Messages[1].Name);
        Assert.Equal("user_777", last.Messages[^1].Name);
        Assert.Null(last.Messages[2].Name);
    }

    [Fact]
    public void ConversationHistory_PlanEviction_NeverLeavesAnOrphanedAssistantTurn()
    {
        var history = new ConversationHistory(TokenEncodings.O200kBase);
        var now = DateTimeOffset.UnixEpoch;
        for (int i = 1; i <= 10; i++)
        {
            var role = i % 2 == 1 ? Storage.TurnRole.User : Storage.TurnRole.Assistant;
            var turn = new Storage.StoredTurn(i, role, null, null, "t" + i, 10, TokenEncodings.O200kBase, now);
            history.Append(turn, new ChatMessage(role == Storage.TurnRole.User ? ChatRole.User : ChatRole.Assistant, turn.Text));
        }

        // 100 tokens of history; fitting 65 needs 4 turns gone, rounding to a whole exchange keeps a user turn first.
        int count = history.PlanEviction(fixedTokens: 0, target: 65);

        Assert.Equal(4, count);
        // Fitting 55 would end on an assistant turn (t6), so the exchange goes too.
        Assert.Equal(6, history.PlanEviction(fixedTokens: 0, target: 55));
    }
}

internal static class RecordingReplySinkAssert
{
    public static void HasAnswer(RecordingReplySink sink) =>
        Assert.Contains(sink.Replies, r => r.Kind == Conversations.ReplyKind.Answer);
}
