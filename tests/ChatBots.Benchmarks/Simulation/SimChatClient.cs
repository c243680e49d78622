using System.Runtime.CompilerServices;
using ChatBots.Engine.Processing;
using Microsoft.Extensions.AI;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// The fake model behind the real engine in the simulator: sees the exact messages the engine sends, bills them
/// with the <see cref="BillingMeter"/>, answers chat requests with the script's answer and summary requests with a
/// summary as long as the engine allows (the first <c>MaxOutputTokens</c> tokens of its input: the pessimistic case).
/// </summary>
internal sealed class SimChatClient(BillingMeter meter, PromptStats stats) : IChatClient
{
    private const string SummaryInstructions = "You keep the running memory";

    /// <summary>The answer to the next chat request.</summary>
    public string NextAnswer { get; set; } = "";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        (string text, UsageDetails usage) = Respond(messages, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = usage, ModelId = options?.ModelId });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        (string text, UsageDetails usage) = Respond(messages, options);
        yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = options?.ModelId };
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new UsageContent(usage)], ModelId = options?.ModelId };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private (string Text, UsageDetails Usage) Respond(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        List<SimMessage> prompt = [.. messages.Select(m => new SimMessage(m.Role.Value, m.AuthorName, m.Text))];
        bool isSummary = prompt.Count > 0 && prompt[0].Text.StartsWith(SummaryInstructions, StringComparison.Ordinal);
        string text;
        if (isSummary)
        {
            int max = options?.MaxOutputTokens ?? 600;
            text = Summarizer.TruncateEnd(prompt[^1].Text, max, meter.Model.Encoding);
        }
        else
        {
            text = NextAnswer;
            stats.RecordChatPrompt(prompt);
        }

        BilledCall call = meter.Bill(prompt, meter.CountText(text), isSummary);
        var usage = new UsageDetails
        {
            InputTokenCount = call.InputTokens,
            CachedInputTokenCount = call.CachedInputTokens,
            OutputTokenCount = call.OutputTokens,
            TotalTokenCount = call.InputTokens + call.OutputTokens,
        };
        return (text, usage);
    }
}
