namespace ChatBots.Engine.Storage;

/// <summary>
/// Small durable state for adapters and caches: Telegram's update offset and pending updates, the Discord session,
/// transcripts by file id. Keys are namespaced by their owner (<c>telegram:offset</c>).
/// </summary>
public interface IKeyValueStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Stores the value only when the key is absent; true when it was stored. Used to record "done once".</summary>
    Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>True when the key existed.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every entry whose key starts with <paramref name="prefix"/>, ordered by key.</summary>
    Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken);
}
