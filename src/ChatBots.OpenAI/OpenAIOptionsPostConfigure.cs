using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBots.OpenAI;

/// <summary>Falls back to <c>OPENAI_API_KEY</c>, the variable every OpenAI tool reads, when the section has no key.</summary>
internal sealed class OpenAIOptionsPostConfigure(IConfiguration configuration) : IPostConfigureOptions<OpenAIOptions>
{
    public void PostConfigure(string? name, OpenAIOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            string? fromEnvironment = configuration[OpenAIOptions.ApiKeyEnvironmentVariable];
            options.ApiKey = string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment.Trim();
        }
    }
}
