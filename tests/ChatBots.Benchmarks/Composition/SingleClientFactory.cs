using ChatBots.Engine.Models;
using Microsoft.Extensions.AI;

namespace ChatBots.Benchmarks.Composition;

/// <summary>Hands out one chat client for every model id.</summary>
internal sealed class SingleClientFactory(IChatClient client) : IChatClientFactory
{
    public IChatClient GetClient(string modelId) => client;
}
