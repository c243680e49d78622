using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Models;

/// <summary>
/// Gives the engine a chat client bound to one model id (the chat model, the summary model).
/// Implementations cache clients and translate transport failures into <see cref="ModelCallException"/>.
/// </summary>
public interface IChatClientFactory
{
    IChatClient GetClient(string modelId);
}
