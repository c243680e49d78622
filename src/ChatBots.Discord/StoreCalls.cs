namespace ChatBots.Discord;

/// <summary>
/// Calls to the key-value store whose failure must not stop the adapter: the Identify history, the remembered fatal
/// close, the resumable session and the answered markers all protect against repeats, and each has a safe fallback
/// (count only this process, connect, identify instead of resuming, rely on the nonce). A failure is reported to
/// <c>onFailure</c> (the caller logs it in its own words); a cancellation of <c>cancellationToken</c> still propagates.
/// </summary>
internal static class StoreCalls
{
    /// <summary>Runs <paramref name="call"/>; false when it failed (reported, not thrown).</summary>
    public static async Task<bool> TryStoreAsync(Func<CancellationToken, Task> call, Action<Exception> onFailure, CancellationToken cancellationToken)
    {
        try
        {
            await call(cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The point of this helper: every caller has a safe fallback when the store fails.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            onFailure(ex);
            return false;
        }
    }

    /// <summary>Runs <paramref name="call"/>; <paramref name="fallback"/> when it failed (reported, not thrown).</summary>
    public static async Task<T> TryStoreAsync<T>(Func<CancellationToken, Task<T>> call, T fallback, Action<Exception> onFailure, CancellationToken cancellationToken)
    {
        T result = fallback;
        await TryStoreAsync(async ct => result = await call(ct), onFailure, cancellationToken);
        return result;
    }
}
