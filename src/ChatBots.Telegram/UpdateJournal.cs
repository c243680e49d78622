using System.Globalization;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;

namespace ChatBots.Telegram;

/// <summary>
/// The adapter's durable bookkeeping in the key-value store, so a restart at any moment neither loses nor repeats an
/// update: the next getUpdates offset, every accepted update not yet answered (with its JSON, to replay it), how many
/// parts of its replies already reached the user (so a replay does not send them again), and a marker per answered update.
/// </summary>
internal sealed class UpdateJournal(IKeyValueStore store, TimeProvider time)
{
    internal const string OffsetKey = "telegram:offset";
    internal const string PendingPrefix = "telegram:pending:";
    internal const string AnsweredPrefix = "telegram:answered:";
    internal const string DeliveredPrefix = "telegram:delivered:";
    internal const string WebhookSecretKey = "telegram:webhook-secret";

    public async Task<int?> GetOffsetAsync(CancellationToken cancellationToken)
    {
        string? value = await store.GetAsync(OffsetKey, cancellationToken);
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int offset) ? offset : null;
    }

    public Task SetOffsetAsync(int offset, CancellationToken cancellationToken) =>
        store.SetAsync(OffsetKey, offset.ToString(CultureInfo.InvariantCulture), cancellationToken);

    public async Task<bool> IsAnsweredAsync(int updateId, CancellationToken cancellationToken) =>
        await store.GetAsync(AnsweredPrefix + Id(updateId), cancellationToken) is not null;

    /// <summary>Records the update as accepted; false when it already was (a re-delivery of an update in flight).</summary>
    public Task<bool> TryAddPendingAsync(int updateId, string updateJson, CancellationToken cancellationToken) =>
        store.TryAddAsync(PendingPrefix + Id(updateId), updateJson, cancellationToken);

    /// <summary>Every accepted, unanswered update, in update id order.</summary>
    public async Task<IReadOnlyList<(int UpdateId, string Json)>> ListPendingAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>> entries = await store.ListAsync(PendingPrefix, cancellationToken);
        var pending = new List<(int, string)>(entries.Count);
        foreach (KeyValuePair<string, string> entry in entries)
        {
            if (int.TryParse(entry.Key.AsSpan(PendingPrefix.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            {
                pending.Add((id, entry.Value));
            }
        }

        // Keys sort as strings ("10" before "9"); replay needs numeric order.
        pending.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return pending;
    }

    /// <summary>
    /// Records the update as answered (or given up on), then forgets its pending copy and delivery count (in that order:
    /// a crash between leaves both, never neither).
    /// </summary>
    public async Task MarkAnsweredAsync(int updateId, CancellationToken cancellationToken)
    {
        string now = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await store.TryAddAsync(AnsweredPrefix + Id(updateId), now, cancellationToken);
        await store.DeleteAsync(PendingPrefix + Id(updateId), cancellationToken);
        await store.DeleteAsync(DeliveredPrefix + Id(updateId), cancellationToken);
    }

    /// <summary>Forgets a pending update without answering it (it was not for the bot after all).</summary>
    public async Task DeletePendingAsync(int updateId, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(PendingPrefix + Id(updateId), cancellationToken);
        await store.DeleteAsync(DeliveredPrefix + Id(updateId), cancellationToken);
    }

    /// <summary>How many parts of each kind of reply to the update reached the user (empty when none did).</summary>
    public async Task<Dictionary<ReplyKind, int>> GetDeliveredPartsAsync(int updateId, CancellationToken cancellationToken)
    {
        var parts = new Dictionary<ReplyKind, int>();
        string? value = await store.GetAsync(DeliveredPrefix + Id(updateId), cancellationToken);
        foreach (string entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0
                && Enum.TryParse(entry.AsSpan(0, equals), out ReplyKind kind)
                && int.TryParse(entry.AsSpan(equals + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int count))
            {
                parts[kind] = count;
            }
        }

        return parts;
    }

    /// <summary>Records how many parts of each kind of reply reached the user (as <c>Answer=2,Transcript=1</c>).</summary>
    public Task SetDeliveredPartsAsync(int updateId, IReadOnlyDictionary<ReplyKind, int> parts, CancellationToken cancellationToken) =>
        store.SetAsync(
            DeliveredPrefix + Id(updateId),
            string.Join(',', parts.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}"))),
            cancellationToken);

    /// <summary>Drops answered markers older than <paramref name="maxAge"/> and beyond the newest <paramref name="keep"/>.</summary>
    public async Task<int> PruneAnsweredAsync(int keep, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>> entries = await store.ListAsync(AnsweredPrefix, cancellationToken);
        long cutoff = (time.GetUtcNow() - maxAge).ToUnixTimeSeconds();
        var markers = new List<(int Id, long At, string Key)>(entries.Count);
        foreach (KeyValuePair<string, string> entry in entries)
        {
            _ = long.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long at);
            _ = int.TryParse(entry.Key.AsSpan(AnsweredPrefix.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id);
            markers.Add((id, at, entry.Key));
        }

        markers.Sort((a, b) => a.At != b.At ? b.At.CompareTo(a.At) : b.Id.CompareTo(a.Id));
        int removed = 0;
        for (int i = 0; i < markers.Count; i++)
        {
            if (i >= keep || markers[i].At < cutoff)
            {
                await store.DeleteAsync(markers[i].Key, cancellationToken);
                removed++;
            }
        }

        return removed;
    }

    public Task<string?> GetWebhookSecretAsync(CancellationToken cancellationToken) => store.GetAsync(WebhookSecretKey, cancellationToken);

    public Task SetWebhookSecretAsync(string secret, CancellationToken cancellationToken) => store.SetAsync(WebhookSecretKey, secret, cancellationToken);

    private static string Id(int updateId) => updateId.ToString(CultureInfo.InvariantCulture);
}
