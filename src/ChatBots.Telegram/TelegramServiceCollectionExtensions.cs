using ChatBots.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the Telegram adapter.</summary>
public static class TelegramServiceCollectionExtensions
{
    internal const string HttpClientName = "ChatBots.Telegram";

    /// <summary>
    /// Adds the Telegram adapter when <c>Telegram:BotToken</c> is set (binding and validating the <c>Telegram</c>
    /// section). <see cref="TelegramStatus"/> is always registered, for health checks.
    /// </summary>
    public static IHostApplicationBuilder AddTelegramAdapter(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        string? token = builder.Configuration[$"{TelegramOptions.SectionName}:{nameof(TelegramOptions.BotToken)}"];
        bool enabled = !string.IsNullOrWhiteSpace(token);
        services.TryAddSingleton(new TelegramStatus { IsEnabled = enabled });
        if (!enabled)
        {
            return builder;
        }

        services.AddOptions<TelegramOptions>()
            .BindConfiguration(TelegramOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>();

        // The token is part of every request URL, so this client must never log requests.
        services.AddHttpClient(HttpClientName).RemoveAllLoggers();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ITelegramBotClient>(CreateClient);
        services.AddSingleton<TelegramRateLimiter>();
        services.AddSingleton<TelegramOutbox>();
        services.AddSingleton<TelegramDelivery>();
        services.AddSingleton<InflightTracker>();
        services.AddSingleton<UpdateJournal>();
        services.AddHostedService<TelegramAdapterService>();
        return builder;
    }

    private static TelegramBotClient CreateClient(IServiceProvider services)
    {
        TelegramOptions options = services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        HttpClient http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        // Long polls hold the request for PollTimeout; the HTTP timeout must outlast them.
        http.Timeout = options.PollTimeout + TimeSpan.FromSeconds(30);
        string? baseUrl = string.Equals(options.ApiBaseUrl.TrimEnd('/'), TelegramOptions.DefaultApiBaseUrl, StringComparison.OrdinalIgnoreCase)
            ? null
            : options.ApiBaseUrl;
        // RetryThreshold = 0: 429s are retried once, in TelegramOutbox, not also inside the client.
        var clientOptions = new TelegramBotClientOptions(options.BotToken, baseUrl) { RetryThreshold = 0 };
        return new TelegramBotClient(clientOptions, http);
    }
}
