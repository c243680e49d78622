using ChatBots.Engine.Storage;
using ChatBots.Host.Health;
using ChatBots.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Cli;

/// <summary>
/// Checks made between building the host and starting it. Inside <c>StartAsync</c> the same failures would be logged as
/// "Hosting failed to start" with a stack trace; here each becomes one line naming the setting to fix.
/// </summary>
internal static class StartupChecks
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ChatBotsCli.ValidateConfiguration(services);
        // The store before the port: once the health endpoint is bound it logs that it listens and /healthz answers
        // "ok", which a bot that cannot open its data must never claim, not even for a moment. A port in use found
        // after the store was opened leaves only the database the next start would create anyway.
        OpenStore(services);
        if (services.GetService<HealthEndpoint>() is { } health)
        {
            try
            {
                // Binds now; the hosted service's own start is then a no-op.
                await health.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                string url = services.GetRequiredService<IOptions<HealthOptions>>().Value.Url;
                throw new StartupException($"Health:Url '{url}' cannot be used: {ex.Message}", ex);
            }
        }
    }

    private static void OpenStore(IServiceProvider services)
    {
        string directory = services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory;
        string full = Path.GetFullPath(directory);
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Storage:DataDirectory '{directory}' cannot be created: {ex.Message}", ex);
        }

        try
        {
            _ = services.GetRequiredService<IConversationStore>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException or SchemaTooNewException)
        {
            // Unwritable directory, a file that is not a database, a schema newer than this build. Anything else is a
            // bug, and keeps its stack trace.
            throw new StartupException($"Storage:DataDirectory '{directory}': {Path.Combine(full, SqliteStore.FileName)} cannot be opened: {ex.Message}", ex);
        }
    }
}
