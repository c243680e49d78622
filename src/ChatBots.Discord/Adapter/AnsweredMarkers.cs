using System.Globalization;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// A durable marker <c>discord:answered:{id}</c> (value: Unix seconds) per message or interaction whose replies were
/// delivered. The resume sequence is persisted only now and then, so after a crash Discord replays events the bot had
/// already answered, and the engine would send the stored answer again: a marker makes the adapter skip them. Resumable
/// sessions last minutes, so markers older than <see cref="MaxAge"/> can go; at most <see cref="MaxCount"/> are kept.
/// </summary>
internal sealed partial class AnsweredMarkers(IKeyValueStore store, TimeProvider time, ILogger logger)
{
    internal const string Prefix = "discord:answered:";
    internal const int MaxCount = 10_000;
    internal static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    /// <summary>True when a marker exists; false also when the store cannot tell (the nonce still guards a re-send).</summary>
    public Task<bool> IsAnsweredAsync(string id, CancellationToken cancellationToken) =>
        StoreCalls.TryStoreAsync(async ct => await store.GetAsync(Prefix + id, ct) is not null, false, ex => LogStoreFailed(logger, ex), cancellationToken);

    public Task MarkAsync(string id, CancellationToken cancellationToken)
    {
        string now = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return StoreCalls.TryStoreAsync(ct => store.TryAddAsync(Prefix + id, now, ct), ex => LogStoreFailed(logger, ex), cancellationToken);
    }

    /// <summary>Drops markers older than <see cref="MaxAge"/> and beyond the newest <see cref="MaxCount"/>; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>> entries = await store.ListAsync(Prefix, cancellationToken);
        long cutoff = (time.GetUtcNow() - MaxAge).ToUnixTimeSeconds();

        // Newest first; an unreadable value counts as oldest.
        List<(string Key, long At)> markers =
        [
            .. entries
                .Select(e => (e.Key, At: long.TryParse(e.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long at) ? at : long.MinValue))
                .OrderByDescending(m => m.At)
                .ThenByDescending(m => m.Key, StringComparer.Ordinal),
        ];
        int removed = 0;
        for (int i = 0; i < markers.Count; i++)
        {
            if (i >= MaxCount || markers[i].At < cutoff)
            {
                await store.DeleteAsync(markers[i].Key, cancellationToken);
                removed++;
            }
        }

        return removed;
    }

    [LoggerMessage(3301, LogLevel.Warning, "Reading or writing a Discord answered marker failed; a replayed event may be answered again (its nonce still lets Discord drop a re-sent part for a few minutes)")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
