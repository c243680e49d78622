using ChatBots.Engine.Storage;

namespace ChatBots.Telegram.Tests;

/// <summary>
/// A key-value store whose first write of <see cref="GatedKey"/> (set or add) waits until the test calls
/// <see cref="Release"/> or its cancellation token fires, so a test can act exactly while the adapter saves that key.
/// </summary>
internal sealed class GatedKeyValueStore(IKeyValueStore inner) : IKeyValueStore
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<Exception>? _failWhenCancelled;
    private int _armed;

    public string? GatedKey { get; private set; }

    /// <summary>Completed when the gated write was reached.</summary>
    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="key">The key whose first write waits.</param>
    /// <param name="failWhenCancelled">
    /// When the wait is cancelled, throw this instead (a store reporting its own error, not a cancellation, while the host stops).
    /// </param>
    public void Gate(string key, Func<Exception>? failWhenCancelled = null)
    {
        GatedKey = key;
        _failWhenCancelled = failWhenCancelled;
        _armed = 1;
    }

    /// <summary>Lets the gated write go on.</summary>
    public void Release() => _release.TrySetResult();

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public async Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        await PassGateAsync(key, cancellationToken);
        await inner.SetAsync(key, value, cancellationToken);
    }

    public async Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken)
    {
        await PassGateAsync(key, cancellationToken);
        return await inner.TryAddAsync(key, value, cancellationToken);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    private async Task PassGateAsync(string key, CancellationToken cancellationToken)
    {
        if (key != GatedKey || Interlocked.Exchange(ref _armed, 0) != 1)
        {
            return;
        }

        Reached.TrySetResult();
        try
        {
            await _release.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (_failWhenCancelled is { } fail)
        {
            throw fail();
        }
    }
}
