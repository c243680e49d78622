using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatBots.Benchmarks.Composition;

/// <summary>
/// A zero-latency model: answers at once with a fixed text and usage, records nothing. Unlike the tests'
/// FakeChatClient it keeps no copy of the prompts, so allocations measured are the engine's.
/// </summary>
internal sealed class ImmediateChatClient : IChatClient
{
    private const string Answer = "Sure — here is a short answer. 好的，没问题！👍";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)) { Usage = Usage(), ModelId = options?.ModelId });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, Answer) { ModelId = options?.ModelId };
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new UsageContent(Usage())], ModelId = options?.ModelId };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static UsageDetails Usage() => new() { InputTokenCount = 200, OutputTokenCount = 16, TotalTokenCount = 216 };
}
