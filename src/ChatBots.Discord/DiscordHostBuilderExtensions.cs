using ChatBots.Discord.Adapter;
using ChatBots.Discord.Gateway;
using ChatBots.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Discord;

public static class DiscordHostBuilderExtensions
{
    /// <summary>
    /// Adds the Discord adapter when <c>Discord:BotToken</c> is set (otherwise only <see cref="DiscordStatus"/>, for the
    /// health endpoint). Needs <c>IConversationEngine</c>, <c>IKeyValueStore</c> and <see cref="TimeProvider"/> from others.
    /// </summary>
    public static IHostApplicationBuilder AddDiscordAdapter(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<DiscordStatus>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{DiscordOptions.SectionName}:{nameof(DiscordOptions.BotToken)}"]))
        {
            return builder;
        }

        services.AddOptions<DiscordOptions>()
            .BindConfiguration(DiscordOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // No HttpClient logging: interaction and webhook paths carry tokens.
        services.AddHttpClient(DiscordRestClient.HttpClientName, (sp, http) =>
        {
            DiscordOptions options = sp.GetRequiredService<IOptions<DiscordOptions>>().Value;
            http.BaseAddress = new Uri(options.ApiBaseUrl.TrimEnd('/') + "/v10/");
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bot " + options.NormalizedToken);
            http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", DiscordRestClient.UserAgent);
            http.Timeout = TimeSpan.FromSeconds(30);
        }).RemoveAllLoggers();

        // The CDN never gets the bot token.
        services.AddHttpClient(DiscordRestClient.CdnClientName, http =>
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", DiscordRestClient.UserAgent);
            http.Timeout = TimeSpan.FromMinutes(2);
        }).RemoveAllLoggers();

        services.TryAddSingleton<DiscordRateLimiter>();
        services.TryAddSingleton<DiscordRestClient>();
        services.TryAddSingleton<DiscordGatewayClient>();
        services.AddHostedService<DiscordAdapterService>();
        return builder;
    }
}
