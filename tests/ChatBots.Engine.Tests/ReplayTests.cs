using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Voice;
using ChatBots.Engine.Window;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Fixtures;

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

    private static IncomingMessage VoiceNote(string messageId, string caption, Action onDownload) =>
        EngineHarness.Message(caption) with
        {
            MessageId = messageId,
            Audio = new AudioAttachment("note-" + messageId, "voice.oga", "audio/ogg", null, null, _ =>
            {
                onDownload();
                return Task.FromResult<Stream>(new MemoryStream(VoiceFixtures.Read("hello-en.ogg")));
            }),
        };

    private static async Task ForgetTranscriptsAsync(EngineHarness harness)
    {
        foreach (KeyValuePair<string, string> entry in await harness.KeyValues.ListAsync("transcript:", CancellationToken.None))
        {
            await harness.KeyValues.DeleteAsync(entry.Key, CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("listen to this")]
    public async Task Engine_VoiceNoteDeliveredTwice_TranscriptAndAnswerResentWithoutDownloadTranscriptionOrCharge(string caption)
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = _ => new Transcript("what day is it", "gpt-4o-mini-transcribe", null);
        int downloads = 0;
        IncomingMessage note = VoiceNote("77", caption, () => Interlocked.Increment(ref downloads));

        RecordingReplySink first = await harness.SendAsync(note);
        // Even with its transcript no longer cached (a new model or hint, a lost store), the replay costs nothing.
        await ForgetTranscriptsAsync(harness);
        RecordingReplySink again = await harness.SendAsync(note);

        Assert.Equal([ReplyKind.Transcript, ReplyKind.Answer], first.Replies.Select(r => r.Kind));
        Assert.Equal("🎙 Transcript: what day is it", first.Replies[0].Text);
        Assert.Equal(first.Replies.Select(r => (r.Kind, r.Text)), again.Replies.Select(r => (r.Kind, r.Text)));
        Assert.Equal(1, downloads);
        Assert.Single(harness.Transcriber.Uploads);
        Assert.Single(harness.Model.Prompts);
        Assert.Equal([LedgerKind.Transcription, LedgerKind.Chat], harness.Store.Ledger.Select(e => e.Kind));
    }

    [Fact]
    public async Task Engine_EmptyAnswerDeliveredTwice_TheSameNoticeNotAnEmptyMessage()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Model.Responder = (_, _) => Task.FromResult(new FakeReply(""));
        IncomingMessage message = EngineHarness.Message("say nothing") with { MessageId = "5" };

        RecordingReplySink first = await harness.SendAsync(message);
        RecordingReplySink again = await harness.SendAsync(message);

        OutgoingReply notice = Assert.Single(first.Replies);
        Assert.Equal(new OutgoingReply("The model returned an empty answer.", ReplyKind.Notice), notice);
        Assert.Equal(notice, Assert.Single(again.Replies));
        Assert.Single(harness.Model.Prompts);
    }

    [Fact]
    public async Task Engine_ReplayWithTheCostFooterOn_FooterSaysItCostNothingNew()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Engine:CostFooter"] = "true");
        IncomingMessage message = EngineHarness.Message("hello") with { MessageId = "6" };

        RecordingReplySink first = await harness.SendAsync(message);
        RecordingReplySink again = await harness.SendAsync(message);

        Assert.Equal("reply to: hello\n\n— 10 in / 5 out tokens · $0.000005 · today $0.000005", Assert.Single(first.Replies).Text);
        OutgoingReply replayed = Assert.Single(again.Replies);
        Assert.Equal(ReplyKind.Answer, replayed.Kind);
        Assert.Equal("reply to: hello\n\n— sent again, no new cost · today $0.000005", replayed.Text);
    }

    [Fact]
    public async Task Engine_MessageReplayedAfterReset_AnsweredAfresh()
    {
        // /reset forgets the exchange, and with it what would recognise the replay: the message is a new question
        // to a fresh conversation, answered (and billed) again. Documented in the README.
        await using EngineHarness harness = EngineHarness.Create();
        IncomingMessage message = EngineHarness.Message("pick a colour") with { MessageId = "8" };

        await harness.SendAsync(message);
        await harness.AskAsync("/reset");
        RecordingReplySink again = await harness.SendAsync(message);

        Assert.Equal("reply to: pick a colour", Assert.Single(again.Replies).Text);
        Assert.Equal(2, harness.Model.Prompts.Count);
        Assert.Equal(2, harness.Store.Ledger.Count);
        Assert.Single(harness.Model.Prompts[1].Messages, m => m.Text == "pick a colour");
    }

    [Theory]
    [InlineData(ConversationHistory.ReplayLookback / 2 - 1, 1)]
    [InlineData(ConversationHistory.ReplayLookback / 2, 2)]
    public async Task Engine_ReplayBehindNewerExchanges_RecognisedOnlyWithinTheLookback(int newer, int calls)
    {
        // A lane keeps its order, so a real replay comes back before anything newer is answered; one that comes back
        // later than the newest 64 turns is answered afresh. Documented in the README.
        await using EngineHarness harness = EngineHarness.Create();
        IncomingMessage message = EngineHarness.Message("the original") with { MessageId = "old" };
        await harness.SendAsync(message);
        for (int i = 0; i < newer; i++)
        {
            await harness.SendAsync(EngineHarness.Message("newer " + i) with { MessageId = "n" + i });
        }

        await harness.SendAsync(message);

        Assert.Equal(calls, harness.Model.Prompts.Count(p => p.Messages[^1].Text == "the original"));
    }
}
