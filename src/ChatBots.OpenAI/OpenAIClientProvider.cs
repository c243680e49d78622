using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;

namespace ChatBots.OpenAI;

/// <summary>Owns the one <see cref="OpenAIClient"/> of the process, built on first use from the validated options.</summary>
internal sealed class OpenAIClientProvider
{
    /// <summary>The name of the <see cref="HttpClient"/> registered for OpenAI traffic (proxy, no request logging).</summary>
    public const string HttpClientName = "ChatBots.OpenAI";

    // Local compatible servers ignore the key, but the SDK insists on a non-empty credential.
    private const string PlaceholderKey = "no-key-configured";

    private readonly Lazy<OpenAIClient> _client;

    public OpenAIClientProvider(
        IOptions<OpenAIOptions> options,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        Options = options.Value;
        _client = new Lazy<OpenAIClient>(() => Create(Options, httpClientFactory, timeProvider, loggerFactory));
    }

    public OpenAIOptions Options { get; }

    public OpenAIClient Client => _client.Value;

    private static OpenAIClient Create(OpenAIOptions options, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        HttpClient httpClient = httpClientFactory.CreateClient(HttpClientName);

        // OpenAIClientOptions.NetworkTimeout governs each request (and each read of a stream); the HttpClient's own
        // 100 s total timeout would cut long streamed answers.
        httpClient.Timeout = Timeout.InfiniteTimeSpan;

        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = options.NetworkTimeout,
            RetryPolicy = new CappedRetryPolicy(options.MaxRetries, options.MaxRetryDelay, timeProvider, loggerFactory.CreateLogger<CappedRetryPolicy>()),
            Transport = new HttpClientPipelineTransport(httpClient),
            ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false, EnableMessageLogging = false, EnableMessageContentLogging = false },
            UserAgentApplicationId = "ChatBots",
        };

        string endpointForLog = "https://api.openai.com";
        if (!string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            var endpoint = new Uri(options.BaseUrl.Trim());
            clientOptions.Endpoint = endpoint;
            endpointForLog = endpoint.GetLeftPart(UriPartial.Authority).Replace(endpoint.UserInfo + "@", "", StringComparison.Ordinal);
        }

        string key = string.IsNullOrWhiteSpace(options.ApiKey) ? PlaceholderKey : options.ApiKey.Trim();
        Log.ClientCreated(
            loggerFactory.CreateLogger<OpenAIClientProvider>(),
            endpointForLog,
            !string.IsNullOrWhiteSpace(options.Proxy),
            options.NetworkTimeout,
            options.MaxRetries,
            options.MaxRetryDelay);
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }
}
