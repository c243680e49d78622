using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatBots.Testing.Engine;

/// <summary>One request the fake model received: the model, the messages as (role, name, text), and the output limit.</summary>
public sealed record RecordedPrompt(string Model, IReadOnlyList<RecordedMessage> Messages, int? MaxOutputTokens)
{
    /// <summary>True for calls of the engine's summariser (its instructions start the prompt).</summary>
    public bool IsSummary => Messages.Count > 0 && Messages[0].Text.StartsWith("You keep the running memory", StringComparison.Ordinal);
}

public sealed record RecordedMessage(string Role, string? Name, string Text);

/// <summary>What the fake model answers: text and optional usage, or an exception to throw.</summary>
public sealed record FakeReply(string Text, UsageDetails? Usage = null, Exception? Error = null);

/// <summary>
/// A scripted <see cref="IChatClient"/> for engine tests: answers with <see cref="Responder"/>, records every prompt,
/// and can be held on a gate to simulate a slow model. Streams the answer in a few updates with usage last.
/// </summary>
public sealed class FakeChatClient : IChatClient
{
    private readonly ConcurrentQueue<RecordedPrompt> _prompts = new();

    /// <summary>Decides the reply; by default "reply N" with usage equal to a rough count.</summary>
    public Func<RecordedPrompt, CancellationToken, Task<FakeReply>> Responder { get; set; } =
        (p, _) => Task.FromResult(new FakeReply($"reply to: {p.Messages[^1].Text}", new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 }));

    /// <summary>The model id the fake reports in its responses (as a compatible server may: <c>llama3:latest</c>); null echoes the requested id.</summary>
    public string? ReportedModelId { get; set; }

    public IReadOnlyList<RecordedPrompt> Prompts => [.. _prompts];

    public IReadOnlyList<RecordedPrompt> ChatPrompts => [.. _prompts.Where(p => !p.IsSummary)];

    public IReadOnlyList<RecordedPrompt> SummaryPrompts => [.. _prompts.Where(p => p.IsSummary)];

    /// <summary>Signalled with each prompt as it arrives (before the responder runs).</summary>
    public event Action<RecordedPrompt>? PromptReceived;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        FakeReply reply = await ReplyAsync(messages, options, cancellationToken);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, reply.Text)) { Usage = reply.Usage, ModelId = ReportedModelId ?? options?.ModelId };
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FakeReply reply = await ReplyAsync(messages, options, cancellationToken, streaming: true);
        int third = Math.Max(1, reply.Text.Length / 3);
        for (int i = 0; i < reply.Text.Length; i += third)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, reply.Text.Substring(i, Math.Min(third, reply.Text.Length - i))) { ModelId = ReportedModelId ?? options?.ModelId };
        }

        if (reply.Error is not null)
        {
            // A stream that breaks after the server started answering.
            throw reply.Error;
        }

        if (reply.Usage is not null)
        {
            yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new UsageContent(reply.Usage)], ModelId = ReportedModelId ?? options?.ModelId };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private async Task<FakeReply> ReplyAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken, bool streaming = false)
    {
        var prompt = new RecordedPrompt(
            options?.ModelId ?? "",
            [.. messages.Select(m => new RecordedMessage(m.Role.Value, m.AuthorName, m.Text))],
            options?.MaxOutputTokens);
        _prompts.Enqueue(prompt);
        PromptReceived?.Invoke(prompt);
        FakeReply reply = await Responder(prompt, cancellationToken);
        // With text, a streamed reply fails mid-stream (after the text); without, before anything arrives.
        if (reply.Error is not null && (!streaming || reply.Text.Length == 0))
        {
            throw reply.Error;
        }

        return reply;
    }
}

