using Microsoft.Extensions.AI;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>Forwards to a client created after the engine (the meter needs the engine's catalogue first).</summary>
internal sealed class LazyClient(Func<IChatClient> inner) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        inner().GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        inner().GetStreamingResponseAsync(messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => inner().GetService(serviceType, serviceKey);

    public void Dispose()
    {
    }
}
