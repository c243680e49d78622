using System.Collections.Concurrent;
using ChatBots.Engine.Storage;
using ChatBots.Testing.Engine;

namespace ChatBots.Discord.Tests;

/// <summary>
/// A store that can stop taking writes under chosen key prefixes: what a crashed process leaves behind is exactly what
/// it had written before the crash, so freezing <c>discord:session:</c> after READY reproduces "the sequence was last
/// saved at READY", whatever the host writes later (heartbeats, its shutdown).
/// </summary>
internal sealed class FreezableStore : IKeyValueStore
{
    private readonly InMemoryKeyValueStore _inner = new();
    private readonly ConcurrentDictionary<string, byte> _frozen = new(StringComparer.Ordinal);

    public void Freeze(string prefix) => _frozen[prefix] = 0;

    public void Thaw() => _frozen.Clear();

    /// <summary>The current value, for wait conditions (the inner store answers synchronously).</summary>
    public string? Peek(string key) => _inner.GetAsync(key, CancellationToken.None).GetAwaiter().GetResult();

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => _inner.GetAsync(key, cancellationToken);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken) =>
        IsFrozen(key) ? Task.CompletedTask : _inner.SetAsync(key, value, cancellationToken);

    public Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken) =>
        IsFrozen(key) ? Task.FromResult(true) : _inner.TryAddAsync(key, value, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        IsFrozen(key) ? Task.FromResult(true) : _inner.DeleteAsync(key, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        _inner.ListAsync(prefix, cancellationToken);

    private bool IsFrozen(string key) => _frozen.Keys.Any(p => key.StartsWith(p, StringComparison.Ordinal));
}
