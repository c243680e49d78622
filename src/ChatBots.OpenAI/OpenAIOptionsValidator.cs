using Microsoft.Extensions.Options;

namespace ChatBots.OpenAI;

/// <summary>Checks what DataAnnotations cannot express: the URLs. Messages name the configuration key.</summary>
internal sealed class OpenAIOptionsValidator : IValidateOptions<OpenAIOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAIOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && !IsHttpUrl(options.BaseUrl))
        {
            failures.Add("OpenAI:BaseUrl must be an absolute http(s) URL, e.g. http://localhost:11434/v1.");
        }

        if (!string.IsNullOrWhiteSpace(options.Proxy) && !IsHttpUrl(options.Proxy))
        {
            // The value may carry credentials, so it is never echoed.
            failures.Add("OpenAI:Proxy must be an absolute http(s) URL, e.g. http://user:pass@host:3128.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);
}
