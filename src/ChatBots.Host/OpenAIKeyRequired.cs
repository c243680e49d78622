using ChatBots.OpenAI;
using Microsoft.Extensions.Options;

namespace ChatBots.Host;

/// <summary>
/// The public API needs a key; without one every message would fail as "key rejected", so <c>run</c> and <c>chat</c>
/// refuse to start instead. A compatible server (<c>OpenAI:BaseUrl</c>: Ollama, llama.cpp, vLLM) may need none.
/// Runs after the <c>OPENAI_API_KEY</c> fallback has been applied.
/// </summary>
internal sealed class OpenAIKeyRequired : IValidateOptions<OpenAIOptions>
{
    public const string Message =
        "OpenAI:ApiKey is not set: set OPENAI_API_KEY or OpenAI__ApiKey in the environment (a compatible server given as OpenAI:BaseUrl may need no key).";

    public ValidateOptionsResult Validate(string? name, OpenAIOptions options) =>
        string.IsNullOrWhiteSpace(options.ApiKey) && string.IsNullOrWhiteSpace(options.BaseUrl)
            ? ValidateOptionsResult.Fail(Message)
            : ValidateOptionsResult.Success;
}
