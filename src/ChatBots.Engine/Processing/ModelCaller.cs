using System.Text;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Processing;

/// <summary>
/// Calls a chat model with streaming, forwards progress to the sink at most once per <see cref="ProgressInterval"/>,
/// and returns the text with the usage the server reported — or our own count when it reported none.
/// </summary>
public sealed class ModelCaller
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private readonly IChatClientFactory _clients;
    private readonly TokenCounter _counter;
    private readonly TimeProvider _time;
    private readonly EngineMetrics _metrics;

    public ModelCaller(IChatClientFactory clients, TokenCounter counter, TimeProvider time, EngineMetrics metrics)
    {
        _clients = clients;
        _counter = counter;
        _time = time;
        _metrics = metrics;
    }

    /// <param name="model">The model to call.</param>
    /// <param name="messages">The prompt.</param>
    /// <param name="promptTokens">Our count of the prompt, used when the server reports no usage.</param>
    /// <param name="maxOutputTokens">The reply limit sent to the server.</param>
    /// <param name="sink">Receives progressive text; null for background calls such as summaries.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ModelCallResult> CallAsync(
        ModelInfo model,
        IList<ChatMessage> messages,
        long promptTokens,
        int maxOutputTokens,
        IReplySink? sink,
        CancellationToken cancellationToken)
    {
        IChatClient client = _clients.GetClient(model.Id);
        var options = new ChatOptions { ModelId = model.Id, MaxOutputTokens = maxOutputTokens };
        var text = new StringBuilder();
        UsageDetails? usage = null;
        string? reportedModel = null;
        long started = _time.GetTimestamp();
        long lastProgress = started;
        int progressLength = 0;

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            reportedModel ??= update.ModelId;
            foreach (AIContent content in update.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text.Append(t.Text);
                        break;
                    case UsageContent u:
                        usage = u.Details;
                        break;
                }
            }

            if (sink is not null && text.Length > progressLength && _time.GetElapsedTime(lastProgress) >= ProgressInterval)
            {
                progressLength = text.Length;
                lastProgress = _time.GetTimestamp();
                await sink.UpdateAsync(text.ToString(), cancellationToken);
            }
        }

        _metrics.ModelLatency(_time.GetElapsedTime(started), model.Id);
        string answer = text.ToString();
        bool reported = usage?.InputTokenCount is not null && usage.OutputTokenCount is not null;
        long input = usage?.InputTokenCount ?? promptTokens;
        long output = usage?.OutputTokenCount ?? _counter.CountText(answer, model.Encoding);
        long cached = usage?.CachedInputTokenCount ?? 0;
        return new ModelCallResult(answer, reportedModel ?? model.Id, input, cached, output, reported);
    }
}
