using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBots.Storage;

public static class StorageHostBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteStore"/> (one SQLite file in <c>Storage:DataDirectory</c>) as the conversation,
    /// ledger and key-value store. The container disposes it on shutdown, which checkpoints the WAL.
    /// </summary>
    public static IHostApplicationBuilder AddSqliteStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(sp => SqliteStore.Open(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<SqliteStore>>() ?? (ILogger)NullLogger.Instance));
        builder.Services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<SqliteStore>());
        builder.Services.AddSingleton<ILedgerStore>(sp => sp.GetRequiredService<SqliteStore>());
        builder.Services.AddSingleton<IKeyValueStore>(sp => sp.GetRequiredService<SqliteStore>());
        builder.Services.AddHostedService<SqliteStoreOpener>();
        return builder;
    }
}
