using ChatBots.Discord;
using ChatBots.Engine;
using ChatBots.Host.Health;
using ChatBots.OpenAI;
using ChatBots.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Host;

/// <summary>What a host is built for: the bot service, or the console conversation.</summary>
internal enum HostMode
{
    Run,
    Chat,
}

/// <summary>The composition root: configuration sources, then one <c>Add…</c> per project.</summary>
internal static class HostFactory
{
    public static HostApplicationBuilder CreateBuilder(string[] args, HostMode mode)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        AddConfiguration(builder, args);

        builder.Services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());

        builder.AddShutdownTimeout();
        if (mode == HostMode.Chat)
        {
            // The console shows replies, not the host's chatter.
            builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        }

        builder.AddSqliteStore();
        builder.AddOpenAIClients();
        // Both verbs talk to a model: without a key for the public API they could only answer "key rejected".
        builder.Services.AddSingleton<IValidateOptions<OpenAIOptions>, OpenAIKeyRequired>();
        if (mode == HostMode.Run)
        {
            builder.AddTelegramAdapter();
            builder.AddDiscordAdapter();
            builder.AddHealthEndpoint();
            builder.AddTelemetryExport();
            builder.Services.AddHostedService<AdapterWatchdog>();
        }

        // Last, so it stops first: on shutdown the engine drains its lanes while the adapters can still deliver the
        // replies; messages arriving meanwhile are refused as "stopping" and stay pending for the next start.
        builder.AddConversationEngine();
        return builder;
    }

    /// <summary>
    /// <c>config/appsettings.json</c>, <c>config/appsettings.{Environment}.json</c> and <c>config/models.json</c> beside the
    /// executable, then user-secrets in Development, then environment variables and arguments again so they still win.
    /// </summary>
    public static void AddConfiguration(IHostApplicationBuilder builder, string[] args)
    {
        string configDirectory = Path.Combine(AppContext.BaseDirectory, "config");
        string environment = builder.Environment.EnvironmentName;
        builder.Configuration
            .AddJsonFile(Path.Combine(configDirectory, "models.json"), optional: false, reloadOnChange: true)
            .AddJsonFile(Path.Combine(configDirectory, "appsettings.json"), optional: false, reloadOnChange: true)
            .AddJsonFile(Path.Combine(configDirectory, $"appsettings.{environment}.json"), optional: true, reloadOnChange: true);
        if (builder.Environment.IsDevelopment())
        {
            builder.Configuration.AddUserSecrets(typeof(HostFactory).Assembly, optional: true);
        }

        builder.Configuration.AddKeyPerFile("/run/secrets", optional: true);
        builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
    }
}
