using ChatBots.Engine.Storage;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// A key-value store whose first write of <see cref="GatedKey"/> never completes (until its cancellation token fires),
/// so a test can stop the host exactly while the adapter saves that key.
/// </summary>
internal sealed class GatedKeyValueStore(IKeyValueStore inner) : IKeyValueStore
{
    private int _armed;

    public string? GatedKey { get; private set; }

    /// <summary>Completed when the gated write was reached.</summary>
    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Gate(string key)
    {
        GatedKey = key;
        _armed = 1;
    }

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public async Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        if (key == GatedKey && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            Reached.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        await inner.SetAsync(key, value, cancellationToken);
    }

    public Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken) => inner.TryAddAsync(key, value, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
