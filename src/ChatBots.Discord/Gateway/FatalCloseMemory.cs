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
        StoredFatalClose? stored;
        try
        {
            string? json = await store.GetAsync(storeKey, cancellationToken);
            stored = json is null ? null : JsonSerializer.Deserialize(json, DiscordJsonContext.Default.StoredFatalClose);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Unreadable memory: connect; the persisted hourly Identify cap still bounds a loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailed(logger, ex);
            return null;
        }

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

    public async Task RememberAsync(int code, CancellationToken cancellationToken)
    {
        var record = new StoredFatalClose(code, fingerprint, time.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            await store.SetAsync(storeKey, JsonSerializer.Serialize(record, DiscordJsonContext.Default.StoredFatalClose), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The adapter stops either way; only the next start loses the memory.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailed(logger, ex);
        }
    }

    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(storeKey, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A stale record is replaced by the next fatal close or dropped at the next start.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailed(logger, ex);
        }
    }

    [LoggerMessage(1301, LogLevel.Warning, "Reading or saving the remembered Discord fatal close failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(1302, LogLevel.Information, "Discord refused the previous configuration with close {Code}; the token, intents or shard settings changed, so connecting again")]
    private static partial void LogConfigurationChanged(ILogger logger, int code);
}
