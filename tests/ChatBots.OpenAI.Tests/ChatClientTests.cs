using System.Diagnostics;
using ChatBots.Engine.Models;
using ChatBots.Testing.OpenAI;
using Microsoft.Extensions.AI;

namespace ChatBots.OpenAI.Tests;

public sealed class ChatClientTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static List<ChatMessage> Prompt(string text = "hello") =>
    [
        new(ChatRole.System, "You are a test bot."),
        new(ChatRole.User, text) { AuthorName = "alice" },
    ];

    [Fact]
    public async Task GetResponseAsync_ServerReportsUsage_MapsUsageIncludingCachedTokens()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.WithText("Hi Alice!", promptTokens: 1500, completionTokens: 7, cachedTokens: 1024));

        ChatResponse response = await host.Factory.GetClient("gpt-4o-mini")
            .GetResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 300 })
            .WaitAsync(Guard);

        Assert.Equal("Hi Alice!", response.Text);
        Assert.NotNull(response.Usage);
        Assert.Equal(1500, response.Usage.InputTokenCount);
        Assert.Equal(7, response.Usage.OutputTokenCount);
        Assert.Equal(1024, response.Usage.CachedInputTokenCount);
        Assert.Equal("gpt-4o-mini", response.ModelId);

        RecordedChatRequest request = Assert.Single(server.ChatRequests);
        Assert.Equal("gpt-4o-mini", request.Model);
        Assert.False(request.Stream);
        Assert.Equal(300, request.MaxCompletionTokens);
        Assert.Equal($"Bearer {OpenAITestHost.ApiKey}", request.Authorization);
        Assert.Collection(
            request.Messages,
            m => Assert.Equal(("system", "You are a test bot."), (m.Role, m.Content)),
            m => Assert.Equal(("user", "alice", "hello"), (m.Role, m.Name, m.Content)));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageInFinalChunk_YieldsTextAndUsageContent()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(new FakeChatReply { Text = "Streaming works fine.", Usage = new FakeUsage(40, 6, 32), StreamChunks = 4 });

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in host.Factory.GetClient("gpt-4o-mini").GetStreamingResponseAsync(Prompt()))
        {
            updates.Add(update);
        }

        Assert.Equal("Streaming works fine.", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 2, "the text should arrive in several updates");
        UsageContent usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Same(updates[^1], updates.Single(u => u.Contents.Contains(usage)));
        Assert.Equal(40, usage.Details.InputTokenCount);
        Assert.Equal(6, usage.Details.OutputTokenCount);
        Assert.Equal(32, usage.Details.CachedInputTokenCount);
        Assert.Equal(40, updates.ToChatResponse().Usage?.InputTokenCount);

        RecordedChatRequest request = Assert.Single(server.ChatRequests);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
    }

    [Fact]
    public async Task GetResponseAsync_ServerOmitsUsage_UsageIsNull()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.WithText("no usage here", usage: null), FakeChatReply.WithText("nor here", usage: null));
        IChatClient client = host.Factory.GetClient("llama3");

        ChatResponse response = await client.GetResponseAsync(Prompt()).WaitAsync(Guard);
        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt()))
        {
            updates.Add(update);
        }

        Assert.Equal("no usage here", response.Text);
        Assert.Null(response.Usage);
        Assert.Equal("nor here", string.Concat(updates.Select(u => u.Text)));
        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Null(updates.ToChatResponse().Usage);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryAfter_WaitsAndSucceedsOnRetry()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s => s["OpenAI:MaxRetryDelay"] = "00:00:05");
        server.EnqueueChatReplies(FakeChatReply.RateLimited(retryAfterSeconds: 1), FakeChatReply.WithText("after the wait", 10, 3));

        ChatResponse response = await host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard);

        Assert.Equal("after the wait", response.Text);
        IReadOnlyList<RecordedChatRequest> requests = server.ChatRequests;
        Assert.Equal(2, requests.Count);
        TimeSpan waited = requests[1].ReceivedAt - requests[0].ReceivedAt;
        Assert.True(waited >= TimeSpan.FromMilliseconds(950), $"Retry-After: 1 was not honoured; retried after {waited}");
    }

    [Fact]
    public async Task GetResponseAsync_HugeRetryAfter_WaitIsCappedAtMaxRetryDelay()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.RateLimited(retryAfterSeconds: 3600), FakeChatReply.WithText("capped", 10, 3));
        var stopwatch = Stopwatch.StartNew();

        ChatResponse response = await host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard);

        stopwatch.Stop();
        Assert.Equal("capped", response.Text);
        IReadOnlyList<RecordedChatRequest> requests = server.ChatRequests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(950), "the capped wait (1 s) should still be waited");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(25), $"the 3600 s Retry-After was not capped: {stopwatch.Elapsed}");
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 3003);
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterAnHour_WaitsOnTheInjectedClockOnlyUpToMaxRetryDelay()
    {
        var time = new TimerWatchingTimeProvider();
        await using var server = await FakeOpenAIServer.StartAsync(time);
        await using var host = await OpenAITestHost.StartAsync(server, s => s["OpenAI:MaxRetryDelay"] = "00:05:00", time);
        server.EnqueueChatReplies(FakeChatReply.RateLimited(retryAfterSeconds: 3600), FakeChatReply.WithText("five minutes later", 10, 3));

        Task<ChatResponse> call = host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt());
        // The retry waits on a timer of the injected clock; nothing but advancing that clock releases it.
        TimeSpan due = await time.FirstTimerDue.WaitAsync(Guard);
        Assert.Equal(TimeSpan.FromMinutes(5), due);
        Assert.Single(server.ChatRequests);
        time.Advance(due);
        ChatResponse response = await call.WaitAsync(Guard);

        Assert.Equal("five minutes later", response.Text);
        IReadOnlyList<RecordedChatRequest> requests = server.ChatRequests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), requests[1].ReceivedAt - requests[0].ReceivedAt);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedOnEveryTry_FailsAsRateLimitedAfterMaxRetries()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.DefaultChatResponder = _ => FakeChatReply.Fail(FakeOpenAIError.RateLimited(null) with { RetryAfterMilliseconds = 20 });

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.Status);
        Assert.Equal(3, server.ChatRequests.Count);
    }

    [Fact]
    public async Task GetResponseAsync_InsufficientQuota_FailsAfterOneRequestAsQuotaExhausted()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.QuotaExhausted(), FakeChatReply.WithText("must not be reached", 1, 1));

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.QuotaExhausted, error.Kind);
        Assert.Equal(429, error.Status);
        Assert.Equal("insufficient_quota", error.ErrorCode);
        Assert.Single(server.ChatRequests);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 3004);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InsufficientQuota_FailsAfterOneRequestAsQuotaExhausted()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.QuotaExhausted(), FakeChatReply.WithText("must not be reached", 1, 1));

        var error = await Assert.ThrowsAsync<ModelCallException>(async () =>
        {
            await foreach (ChatResponseUpdate update in host.Factory.GetClient("gpt-4o-mini").GetStreamingResponseAsync(Prompt()))
            {
                Assert.Fail($"no update expected, got '{update.Text}'");
            }
        });

        Assert.Equal(ModelErrorKind.QuotaExhausted, error.Kind);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task GetResponseAsync_ContextLengthExceeded_FailsAsContextTooLong()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.ContextLengthExceeded());

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.ContextTooLong, error.Kind);
        Assert.Equal(400, error.Status);
        Assert.Contains("context_length_exceeded", error.Message, StringComparison.Ordinal);
        Assert.Equal("context_length_exceeded", error.ErrorCode);
        Assert.Single(server.ChatRequests);
    }

    [Theory]
    [InlineData("{\"error\":{\"message\":\"the request exceeds the available context size, try increasing it\",\"type\":\"exceed_context_size_error\",\"code\":400}}")]
    [InlineData("{\"error\":\"This model's maximum context length is 8192 tokens\"}")]
    [InlineData("{\"object\":\"error\",\"message\":\"Too many tokens in the prompt\",\"code\":400}")]
    public async Task GetStreamingResponseAsync_CompatibleServerContextError_FailsAsContextTooLong(string body)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.Fail(new FakeOpenAIError(400, "", null, null) { RawBody = body }));

        var error = await Assert.ThrowsAsync<ModelCallException>(async () =>
        {
            await foreach (ChatResponseUpdate update in host.Factory.GetClient("local").GetStreamingResponseAsync(Prompt()))
            {
                Assert.Fail($"no update expected, got '{update.Text}'");
            }
        });

        Assert.Equal(ModelErrorKind.ContextTooLong, error.Kind);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task GetResponseAsync_Unauthorized_FailsAsAuthFailedWithoutTheKey()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.Unauthorized(presentedKey: OpenAITestHost.ApiKey));

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.AuthFailed, error.Kind);
        Assert.Equal(401, error.Status);
        Assert.Equal("invalid_api_key", error.ErrorCode);
        Assert.Single(server.ChatRequests);
        Assert.DoesNotContain("SECRET", error.ToString(), StringComparison.Ordinal);
        Assert.All(host.Logs.GetSnapshot(), r => Assert.DoesNotContain("SECRET", r.Message + r.Exception, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModel_FailsAsModelNotFound()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.Fail(FakeOpenAIError.ModelNotFound("gpt-9")));

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-9").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.ModelNotFound, error.Kind);
        Assert.Equal(404, error.Status);
        Assert.Equal("gpt-9", Assert.Single(server.ChatRequests).Model);
    }

    [Fact]
    public async Task GetResponseAsync_ServerErrorThenSuccess_RetriesAndSucceeds()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueChatReplies(FakeChatReply.ServerError(), FakeChatReply.WithText("recovered", 12, 2));

        ChatResponse response = await host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard);

        Assert.Equal("recovered", response.Text);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(2, server.ChatRequests.Count);
    }

    [Fact]
    public async Task GetResponseAsync_ServerErrorEveryTime_FailsAsServerError()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s => s["OpenAI:MaxRetries"] = "0");
        server.DefaultChatResponder = _ => FakeChatReply.ServerError();

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.ServerError, error.Kind);
        Assert.Equal(500, error.Status);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task GetResponseAsync_ServerSlowerThanNetworkTimeout_FailsAsTimeout()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s =>
        {
            s["OpenAI:NetworkTimeout"] = "00:00:01";
            s["OpenAI:MaxRetries"] = "0";
        });
        var never = new TaskCompletionSource();
        server.EnqueueChatReplies(new FakeChatReply { Text = "too late", Gate = never.Task });

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.Timeout, error.Kind);
        Assert.Null(error.Status);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_ThrowsOperationCanceledNotModelError()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        var never = new TaskCompletionSource();
        server.EnqueueChatReplies(new FakeChatReply { Text = "too late", Gate = never.Task });
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt(), cancellationToken: cts.Token);
        await server.WaitForChatRequestsAsync(1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Guard));
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDroppedMidStream_FailsAsTimeoutAfterFirstText()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        var firstTextSeen = new TaskCompletionSource();
        server.EnqueueChatReplies(new FakeChatReply
        {
            Text = "aaaabbbbccccdddd",
            Usage = new FakeUsage(5, 4),
            StreamChunks = 4,
            AbortStreamAfterChunks = 1,
            AbortGate = firstTextSeen.Task,
        });
        List<string> received = [];

        var error = await Assert.ThrowsAsync<ModelCallException>(async () =>
        {
            await foreach (ChatResponseUpdate update in host.Factory.GetClient("gpt-4o-mini").GetStreamingResponseAsync(Prompt()))
            {
                received.Add(update.Text);
                firstTextSeen.TrySetResult();
            }
        });

        Assert.Equal(ModelErrorKind.Timeout, error.Kind);
        Assert.Equal("aaaa", string.Concat(received));
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task GetClient_SameModelTwice_ReturnsCachedClientAndSendsEachModelId()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);

        IChatClient chat = host.Factory.GetClient("gpt-4o");
        IChatClient summary = host.Factory.GetClient("gpt-4o-mini");
        await chat.GetResponseAsync(Prompt("first")).WaitAsync(Guard);
        await summary.GetResponseAsync(Prompt("second")).WaitAsync(Guard);

        Assert.Same(chat, host.Factory.GetClient("gpt-4o"));
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], server.ChatRequests.Select(r => r.Model));
        Assert.Equal(["first", "second"], server.ChatRequests.Select(r => r.LastUserText));
    }
}
