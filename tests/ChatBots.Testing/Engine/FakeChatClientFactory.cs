using ChatBots.Engine.Models;
using Microsoft.Extensions.AI;

namespace ChatBots.Testing.Engine;

/// <summary>Hands the same <see cref="FakeChatClient"/> out for every model id; the prompts record which model was asked.</summary>
public sealed class FakeChatClientFactory(FakeChatClient client) : IChatClientFactory
{
    public FakeChatClient Client { get; } = client;

    public IChatClient GetClient(string modelId) => Client;
}
