using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Host.Health;

internal static class HealthHostBuilderExtensions
{
    public static IHostApplicationBuilder AddHealthEndpoint(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HealthEndpoint>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthEndpoint>());
        return builder;
    }
}
