using ChatBots.Engine.Conversations;
using ChatBots.Testing.Engine;

namespace ChatBots.Engine.Tests;

/// <summary>
/// A platform can deliver one message twice: a Telegram update replayed after a crash between the model's answer and
/// the confirmation, a Discord event replayed on resume. The user must get the same answer, paid for once.
/// </summary>
public sealed class ReplayTests
{
    [Fact]
    public async Task Engine_SameMessageDeliveredTwice_ResendsStoredAnswerWithoutSecondCall()
    {
        await using EngineHarness harness = EngineHarness.Create();
        IncomingMessage message = EngineHarness.Message("what is the capital of Portugal?") with { MessageId = "501" };

        RecordingReplySink first = await harness.SendAsync(message);
        RecordingReplySink again = await harness.SendAsync(message);

        Assert.Equal("reply to: what is the capital of Portugal?", Assert.Single(first.Replies).Text);
        OutgoingReply replayed = Assert.Single(again.Replies);
        Assert.Equal(first.Replies[0].Text, replayed.Text);
        Assert.Equal(ReplyKind.Answer, replayed.Kind);
        Assert.Single(harness.Model.Prompts);
        Assert.Single(harness.Store.Ledger);
        Assert.Equal(2, (await harness.Store.LoadAsync(message.Conversation, CancellationToken.None)).Turns.Count);
    }

    [Fact]
    public async Task Engine_MessageReplayedAfterRestart_AnsweredFromTheStore()
    {
        var store = new InMemoryConversationStore();
        IncomingMessage message = EngineHarness.Message("remember 42") with { MessageId = "9" };
        await using (EngineHarness before = EngineHarness.Create(store: store))
        {
            await before.SendAsync(message);
        }

        await using EngineHarness after = EngineHarness.Create(store: store);
        RecordingReplySink replay = await after.SendAsync(message);
        string next = await after.AskAsync("and now?");

        Assert.Equal("reply to: remember 42", Assert.Single(replay.Replies).Text);
        Assert.Equal("reply to: and now?", next);
        // Only the new message reached the model, with the replayed exchange once in its history.
        var prompt = Assert.Single(after.Model.Prompts);
        Assert.Single(prompt.Messages, m => m.Text == "remember 42");
        Assert.Equal(2, store.Ledger.Count);
    }

    [Fact]
    public async Task Engine_SameTextWithAnotherMessageId_IsAnsweredAgain()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(EngineHarness.Message("roll a die") with { MessageId = "1" });
        await harness.SendAsync(EngineHarness.Message("roll a die") with { MessageId = "2" });

        Assert.Equal(2, harness.Model.Prompts.Count);
        Assert.Equal(2, harness.Store.Ledger.Count);
    }
}
