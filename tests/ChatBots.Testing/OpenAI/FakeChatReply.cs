namespace ChatBots.Testing.OpenAI;

/// <summary>
/// One scripted answer of the fake to <c>/v1/chat/completions</c>: text with or without usage, or an error.
/// When <see cref="Gate"/> is set the answer waits for it (a slow model the test releases).
/// </summary>
public sealed record FakeChatReply
{
    public string Text { get; init; } = "";

    /// <summary>Usage to report; null omits the <c>usage</c> field (as some compatible servers do).</summary>
    public FakeUsage? Usage { get; init; }

    public FakeOpenAIError? Error { get; init; }

    /// <summary>Held until this task completes (or the request is aborted).</summary>
    public Task? Gate { get; init; }

    /// <summary>The model name to report; null echoes the requested model.</summary>
    public string? Model { get; init; }

    /// <summary>How many content chunks a streamed answer is split into.</summary>
    public int StreamChunks { get; init; } = 3;

    /// <summary>When set, a streamed answer drops the connection after this many content chunks (no usage, no [DONE]).</summary>
    public int? AbortStreamAfterChunks { get; init; }

    /// <summary>
    /// When set with <see cref="AbortStreamAfterChunks"/>, the connection is dropped only once this task completes, so a
    /// test can first see the chunks that did arrive (otherwise the drop may overtake them and look like a failed request).
    /// </summary>
    public Task? AbortGate { get; init; }

    public string FinishReason { get; init; } = "stop";

    public static FakeChatReply WithText(string text, FakeUsage? usage) => new() { Text = text, Usage = usage };

    public static FakeChatReply WithText(string text, int promptTokens, int completionTokens, int cachedTokens = 0) =>
        new() { Text = text, Usage = new FakeUsage(promptTokens, completionTokens, cachedTokens) };

    public static FakeChatReply Fail(FakeOpenAIError error) => new() { Error = error };

    public static FakeChatReply RateLimited(int? retryAfterSeconds = 1) => Fail(FakeOpenAIError.RateLimited(retryAfterSeconds));

    public static FakeChatReply QuotaExhausted() => Fail(FakeOpenAIError.QuotaExhausted());

    public static FakeChatReply ContextLengthExceeded() => Fail(FakeOpenAIError.ContextLengthExceeded());

    public static FakeChatReply Unauthorized(string? presentedKey = null) => Fail(FakeOpenAIError.Unauthorized(presentedKey));

    public static FakeChatReply ServerError() => Fail(FakeOpenAIError.ServerError());
}
