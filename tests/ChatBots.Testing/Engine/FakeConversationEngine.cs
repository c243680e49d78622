using System.Collections.Concurrent;
using ChatBots.Engine.Conversations;

namespace ChatBots.Testing.Engine;

/// <summary>
/// A hand-written stand-in for the engine, for adapter tests: handles each conversation's messages in order on a
/// background task (like the real lanes), answers with <see cref="Responder"/>, and records what it received.
/// </summary>
public sealed class FakeConversationEngine : IConversationEngine
{
    private readonly ConcurrentDictionary<ConversationKey, Task> _lanes = new();
    private readonly Lock _gate = new();
    private readonly ConcurrentBag<Task> _work = [];
    private readonly ConcurrentQueue<IncomingMessage> _received = new();

    /// <summary>Produces the answer for a message; default echoes the text.</summary>
    public Func<IncomingMessage, CancellationToken, Task<string>> Responder { get; set; } =
        (m, _) => Task.FromResult($"echo: {m.Text}");

    /// <summary>The reply kind the responder's text is sent as.</summary>
    public ReplyKind ReplyKind { get; set; } = ReplyKind.Answer;

    public IReadOnlyList<EngineCommand> Commands { get; set; } =
    [
        new("help", "What this bot can do"),
        new("reset", "Forget this conversation"),
        new("usage", "Tokens and cost so far"),
        new("summary", "Summarise the conversation"),
    ];

    /// <summary>Messages in the order they were enqueued.</summary>
    public IReadOnlyList<IncomingMessage> Received => [.. _received];

    /// <summary>Signalled for every enqueued message.</summary>
    public event Action<IncomingMessage>? MessageEnqueued;

    public EnqueueResult Enqueue(IncomingMessage message, IReplySink sink)
    {
        _received.Enqueue(message);
        MessageEnqueued?.Invoke(message);
        lock (_gate)
        {
            // Chain each message after the previous one of its conversation: FIFO per conversation, like the real lanes.
            Task previous = _lanes.GetValueOrDefault(message.Conversation, Task.CompletedTask);
            Task next = previous.ContinueWith(_ => HandleAsync(message, sink), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _lanes[message.Conversation] = next;
            _work.Add(next);
        }

        return EnqueueResult.Accepted;
    }

    private async Task HandleAsync(IncomingMessage message, IReplySink sink)
    {
        try
        {
            await sink.WorkStartedAsync(CancellationToken.None);
            string answer = await Responder(message, CancellationToken.None);
            await sink.SendAsync(new OutgoingReply(answer, ReplyKind), CancellationToken.None);
        }
        finally
        {
            await sink.WorkFinishedAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits until every message enqueued so far has been answered (rethrows a responder's failure).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_work.ToArray());
}
