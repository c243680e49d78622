using System.Net;
using ChatBots.Engine.Models;
using ChatBots.Engine.Voice;
using ChatBots.OpenAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the OpenAI-compatible chat clients and the transcriber.</summary>
public static class OpenAIServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the <c>OpenAI</c> section (at start), and registers <see cref="IChatClientFactory"/> and
    /// <see cref="ITranscriber"/> over one OpenAI SDK client whose HTTP traffic goes through the configured proxy
    /// and is never logged by the HttpClient factory (request URLs and headers stay out of logs).
    /// </summary>
    public static IHostApplicationBuilder AddOpenAIClients(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;

        services.AddOptions<OpenAIOptions>()
            .BindConfiguration(OpenAIOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenAIOptions>, OpenAIOptionsPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIOptions>, OpenAIOptionsValidator>());

        services.AddHttpClient(OpenAIClientProvider.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => CreateHandler(sp.GetRequiredService<IOptions<OpenAIOptions>>().Value))
            .RemoveAllLoggers();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OpenAIClientProvider>();
        services.TryAddSingleton<OpenAIErrorTranslator>();
        services.TryAddSingleton<IChatClientFactory, OpenAIChatClientFactory>();
        services.TryAddSingleton<ITranscriber, OpenAITranscriber>();
        return builder;
    }

    private static SocketsHttpHandler CreateHandler(OpenAIOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // The SDK client lives for the whole process; recycling pooled connections picks up DNS changes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(15),
            AutomaticDecompression = DecompressionMethods.All,
        };

        if (!string.IsNullOrWhiteSpace(options.Proxy))
        {
            var proxyUri = new Uri(options.Proxy.Trim());
            var proxy = new WebProxy(new UriBuilder(proxyUri) { UserName = "", Password = "" }.Uri) { BypassProxyOnLocal = false };
            if (!string.IsNullOrEmpty(proxyUri.UserInfo))
            {
                string[] parts = proxyUri.UserInfo.Split(':', 2);
                proxy.Credentials = new NetworkCredential(
                    Uri.UnescapeDataString(parts[0]),
                    parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
            }

            handler.Proxy = proxy;
            handler.UseProxy = true;
        }

        return handler;
    }
}
