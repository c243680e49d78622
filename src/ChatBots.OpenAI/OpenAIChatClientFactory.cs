using System.Collections.Concurrent;
using ChatBots.Engine.Models;
using Microsoft.Extensions.AI;

namespace ChatBots.OpenAI;

/// <summary>One <see cref="IChatClient"/> per model id over the shared <see cref="global::OpenAI.OpenAIClient"/>, cached.</summary>
internal sealed class OpenAIChatClientFactory(OpenAIClientProvider provider, OpenAIErrorTranslator translator) : IChatClientFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _clients = new(StringComparer.Ordinal);

    public IChatClient GetClient(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return _clients.GetOrAdd(modelId, id => new Lazy<IChatClient>(() => Create(id))).Value;
    }

    public void Dispose()
    {
        foreach (Lazy<IChatClient> client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        _clients.Clear();
    }

    private ErrorTranslatingChatClient Create(string modelId) =>
        new(provider.Client.GetChatClient(modelId).AsIChatClient(), modelId, translator);
}
