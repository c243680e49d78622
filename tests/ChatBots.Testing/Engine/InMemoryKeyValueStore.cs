using System.Collections.Concurrent;
using ChatBots.Engine.Storage;

namespace ChatBots.Testing.Engine;

/// <summary>An <see cref="IKeyValueStore"/> in memory, for tests that restart an adapter but keep its state.</summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryGetValue(key, out string? value) ? value : null);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        _values[key] = value;
        return Task.CompletedTask;
    }

    public Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryAdd(key, value));

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryRemove(key, out _));

    public Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(
            [.. _values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal)]);
}
