using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatBots.OpenAI;

/// <summary>
/// The outermost layer of each model's chat client: SDK and transport failures leave it as
/// <see cref="ChatBots.Engine.Models.ModelCallException"/>, for whole responses and while a stream is enumerated.
/// </summary>
internal sealed class ErrorTranslatingChatClient(IChatClient innerClient, string modelId, OpenAIErrorTranslator translator)
    : DelegatingChatClient(innerClient)
{
    private const string Operation = "chat completion";

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        translator.ThrowIfNoCredentials(Operation, modelId);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex) when (translator.TryTranslate(ex, Operation, modelId, cancellationToken, out var translated))
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        translator.ThrowIfNoCredentials(Operation, modelId);
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (translator.TryTranslate(ex, Operation, modelId, cancellationToken, out var translated))
        {
            throw translated;
        }

        await using (updates)
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    // The request is sent on the first MoveNextAsync, so HTTP errors surface here as well as mid-stream.
                    if (!await updates.MoveNextAsync())
                    {
                        yield break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (translator.TryTranslate(ex, Operation, modelId, cancellationToken, out var translated))
                {
                    throw translated;
                }

                yield return update;
            }
        }
    }
}
