using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Host;

internal static class HostShutdownExtensions
{
    /// <summary>Binds and validates <c>Host:ShutdownTimeout</c> and gives it to the generic host.</summary>
    public static IHostApplicationBuilder AddShutdownTimeout(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HostShutdownOptions>()
            .BindConfiguration(HostShutdownOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Bound again here without validation: the host reads HostOptions while it is built, before the start-up
        // checks, and a validation failure there would hide every other bad setting. An out-of-range value never
        // matters, because the checks refuse to start with it.
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var shutdown = new HostShutdownOptions();
            configuration.GetSection(HostShutdownOptions.Section).Bind(shutdown);
            host.ShutdownTimeout = shutdown.ShutdownTimeout;
        });
        return builder;
    }
}
