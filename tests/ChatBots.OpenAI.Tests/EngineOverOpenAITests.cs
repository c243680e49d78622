using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;
using ChatBots.Testing.Engine;
using ChatBots.Testing.OpenAI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.OpenAI.Tests;

/// <summary>
/// What the user notices when the real engine talks to an OpenAI-compatible server over HTTP through the real SDK:
/// trim-and-retry, estimated costs, quota and auth failures, rate limits.
/// </summary>
public sealed class EngineOverOpenAITests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Our count of a request as the server received it: framing, roles, names, contents, reply priming.</summary>
    private static long Count(RecordedChatRequest request)
    {
        var counter = new TokenCounter();
        return request.Messages.Sum(m => (long)counter.CountMessage(m.Role, m.Content, m.Name, TokenEncodings.O200kBase)) + TokenCounter.ReplyPriming;
    }

    [Fact]
    public async Task Engine_ServerSaysContextTooLongThenAnswers_TwoChatRequestsTheSecondSmallerAndTheUserAnswered()
    {
        FakeTimeProvider time = Clock();
        await using FakeOpenAIServer server = await FakeOpenAIServer.StartAsync(time);
        await using EngineOverOpenAI engine = await EngineOverOpenAI.StartAsync(server, time, s => s["Engine:ContextTokenCap"] = "4000");
        for (int i = 0; i < 6; i++)
        {
            await engine.SendAsync($"message {i}: " + string.Concat(Enumerable.Repeat("some earlier words ", 30)));
        }

        int before = server.ChatRequests.Count(r => r.Model == EngineOverOpenAI.ChatModel);
        int chatCalls = 0;
        server.DefaultChatResponder = r => r.Model == EngineOverOpenAI.SummaryModel
            ? FakeChatReply.WithText("They talked about earlier words.", 200, 8)
            : Interlocked.Increment(ref chatCalls) == 1 ? FakeChatReply.ContextLengthExceeded() : FakeChatReply.WithText("fits now", 300, 3);

        RecordingReplySink sink = await engine.SendAsync("and now?");

        Assert.Equal("fits now", sink.Replies[^1].Text);
        Assert.Equal(ReplyKind.Answer, sink.Replies[^1].Kind);
        RecordedChatRequest[] chat = [.. server.ChatRequests.Where(r => r.Model == EngineOverOpenAI.ChatModel).Skip(before)];
        Assert.Equal(2, chat.Length);
        Assert.True(chat[1].Messages.Count < chat[0].Messages.Count, $"the retry sent {chat[1].Messages.Count} messages after {chat[0].Messages.Count}");
        Assert.True(Count(chat[1]) < Count(chat[0]), "the retry must send fewer tokens");
        Assert.True(chat[1].Body.Length < chat[0].Body.Length);
        Assert.Equal("and now?", chat[1].LastUserText);
        // The evicted turns went to the summary model, whose summary now leads the retried prompt.
        Assert.Contains(server.ChatRequests, r => r.Model == EngineOverOpenAI.SummaryModel);
        Assert.Contains("They talked about earlier words.", chat[1].Messages[1].Content, StringComparison.Ordinal);
        // Only the answer that came back is billed as a chat call.
        LedgerEntry last = engine.Store.Ledger.Last(e => e.Kind == LedgerKind.Chat);
        Assert.Equal(300, last.InputTokens);
        Assert.False(last.Estimated);
    }

    [Fact]
    public async Task Engine_ServerOmitsUsage_LedgerRowEstimatedAndPricedFromOurCount()
    {
        FakeTimeProvider time = Clock();
        await using FakeOpenAIServer server = await FakeOpenAIServer.StartAsync(time);
        await using EngineOverOpenAI engine = await EngineOverOpenAI.StartAsync(server, time);
        server.DefaultChatResponder = _ => FakeChatReply.WithText("no usage reported here", usage: null);

        RecordingReplySink sink = await engine.SendAsync("hello there");

        Assert.Equal("no usage reported here", sink.Replies.Single().Text);
        RecordedChatRequest request = Assert.Single(server.ChatRequests);
        Assert.True(request.Stream);
        LedgerEntry entry = Assert.Single(engine.Store.Ledger);
        Assert.True(entry.Estimated);
        long input = Count(request);
        long output = new TokenCounter().CountText("no usage reported here", TokenEncodings.O200kBase);
        Assert.Equal(input, entry.InputTokens);
        Assert.Equal(output, entry.OutputTokens);
        Assert.Equal((long)Math.Ceiling((input * 0.15m) + (output * 0.60m)), entry.Cost.Value);
    }

    [Fact]
    public async Task Engine_InsufficientQuota_OneRequestAndAClearReply()
    {
        FakeTimeProvider time = Clock();
        await using FakeOpenAIServer server = await FakeOpenAIServer.StartAsync(time);
        await using EngineOverOpenAI engine = await EngineOverOpenAI.StartAsync(server, time);
        server.EnqueueChatReplies(FakeChatReply.QuotaExhausted(), FakeChatReply.WithText("must not be reached", 1, 1));

        RecordingReplySink sink = await engine.SendAsync("hello");

        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal("The bot's AI account has run out of credit. The owner has to top it up.", reply.Text);
        Assert.Single(server.ChatRequests);
        Assert.Empty(engine.Store.Ledger);
        FakeLogRecord failure = Assert.Single(engine.Logs.GetSnapshot(), r => r.Id.Id == 1006);
        Assert.Contains("insufficient_quota", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Exception);
    }

    [Fact]
    public async Task Engine_RateLimitedWithRetryAfter_WaitsOnTheInjectedClockAndAnswers()
    {
        var time = new DueTimeWatchingTimeProvider();
        await using FakeOpenAIServer server = await FakeOpenAIServer.StartAsync(time);
        await using EngineOverOpenAI engine = await EngineOverOpenAI.StartAsync(server, time, s => s["OpenAI:MaxRetryDelay"] = "00:00:10");
        server.EnqueueChatReplies(FakeChatReply.RateLimited(retryAfterSeconds: 3), FakeChatReply.WithText("after the wait", 40, 3));

        Task<RecordingReplySink> answered = engine.SendAsync("hello");
        // The retry waits 3 s on the shared fake clock; nothing but advancing it lets the second request out.
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(3)).WaitAsync(Guard);
        Assert.Single(server.ChatRequests);
        time.Advance(TimeSpan.FromSeconds(3));
        RecordingReplySink sink = await answered.WaitAsync(Guard);

        Assert.Equal("after the wait", sink.Replies.Single().Text);
        IReadOnlyList<RecordedChatRequest> requests = server.ChatRequests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), requests[1].ReceivedAt - requests[0].ReceivedAt);
        Assert.Equal(40, Assert.Single(engine.Store.Ledger).InputTokens);
    }

    [Fact]
    public async Task Engine_Unauthorized_ClearReplyWithoutTheKeyAnywhere()
    {
        FakeTimeProvider time = Clock();
        await using FakeOpenAIServer server = await FakeOpenAIServer.StartAsync(time);
        await using EngineOverOpenAI engine = await EngineOverOpenAI.StartAsync(server, time);
        server.EnqueueChatReplies(FakeChatReply.Unauthorized(presentedKey: OpenAITestHost.ApiKey));

        RecordingReplySink sink = await engine.SendAsync("hello");

        OutgoingReply reply = Assert.Single(sink.Replies);
        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal("The bot's AI key was rejected. The owner has to fix the API key.", reply.Text);
        Assert.Single(server.ChatRequests);
        Assert.All(engine.Logs.GetSnapshot(), r => Assert.DoesNotContain("SECRET", r.Message + r.Exception, StringComparison.Ordinal));
        FakeLogRecord failure = Assert.Single(engine.Logs.GetSnapshot(), r => r.Id.Id == 1006);
        Assert.Contains("AuthFailed (HTTP 401, code invalid_api_key)", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Exception);
    }
}
