using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatBots.Discord.Api;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Gateway;

/// <summary>
/// Remembers a fatal gateway close (4004, 4010–4014) across restarts. The host exits when every adapter has failed and a
/// supervisor restarts it; without this memory every restart would identify, be refused, exit and restart again, a loop
/// that ends when Discord resets the token at 1000 Identifies a day. The record carries a fingerprint of what Discord
/// judged (token, intents, shard settings, API version) so that changing any of them tries again.
/// </summary>
internal sealed partial class FatalCloseMemory(IKeyValueStore store, string storeKey, string fingerprint, TimeProvider time, ILogger logger)
{
    /// <summary>SHA-256 over everything a fatal close can be about; the token cannot be recovered from it.</summary>
    public static string Fingerprint(DiscordOptions options, int apiVersion)
    {
        string material = string.Join(
            '\n',
            "chatbots-discord-fatal-v1",
            options.NormalizedToken,
            options.Intents.ToString(CultureInfo.InvariantCulture),
            $"{options.ShardId}/{options.ShardCount}",
            apiVersion.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    /// <summary>The fatal close remembered for this configuration; a record for another configuration is dropped.</summary>
    public async Task<StoredFatalClose?> GetAsync(CancellationToken cancellationToken)
    {
        // Unreadable memory: connect; the persisted hourly Identify cap still bounds a loop.
        StoredFatalClose? stored = await StoreCalls.TryStoreAsync(
            async ct => await store.GetAsync(storeKey, ct) is { } json ? JsonSerializer.Deserialize(json, DiscordJsonContext.Default.StoredFatalClose) : null,
            null,
            ex => LogStoreFailed(logger, ex),
            cancellationToken);
        if (stored is null)
        {
            return null;
        }

        if (!string.Equals(stored.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            LogConfigurationChanged(logger, stored.Code);
            await ForgetAsync(cancellationToken);
            return null;
        }

        return stored;
    }

    /// <summary>
    /// Remembers the close; <paramref name="applicationFlags"/> are the application's flags when Discord refused (for 4014:
    /// the portal switches then), so that a later start connects again only once they changed.
    /// </summary>
    public async Task RememberAsync(int code, long? applicationFlags, CancellationToken cancellationToken)
    {
        var record = new StoredFatalClose(code, fingerprint, time.GetUtcNow().ToUnixTimeMilliseconds(), applicationFlags);
        string json = JsonSerializer.Serialize(record, DiscordJsonContext.Default.StoredFatalClose);

        // The adapter stops either way; only the next start loses the memory.
        await StoreCalls.TryStoreAsync(ct => store.SetAsync(storeKey, json, ct), ex => LogStoreFailed(logger, ex), cancellationToken);
    }

    /// <summary>A stale record is replaced by the next fatal close or dropped at the next start, so a failure is only logged.</summary>
    public Task ForgetAsync(CancellationToken cancellationToken) =>
        StoreCalls.TryStoreAsync(ct => store.DeleteAsync(storeKey, ct), ex => LogStoreFailed(logger, ex), cancellationToken);

    [LoggerMessage(1301, LogLevel.Warning, "Reading or saving the remembered Discord fatal close failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(1302, LogLevel.Information, "Discord refused the previous configuration with close {Code}; the token, intents or shard settings changed, so connecting again")]
    private static partial void LogConfigurationChanged(ILogger logger, int code);
}
