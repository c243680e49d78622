namespace ChatBots.Discord.Rest;

/// <summary>
/// At most <c>limit</c> events per <c>window</c>: <see cref="WaitAsync"/> waits until one more fits. Used for the REST
/// global 50/s limit and the gateway's 120 sends per 60 s.
/// </summary>
internal sealed class SlidingWindowLimiter(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Queue<long> _events = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                long now = time.GetTimestamp();
                while (_events.Count > 0 && time.GetElapsedTime(_events.Peek(), now) >= window)
                {
                    _events.Dequeue();
                }

                if (_events.Count < limit)
                {
                    _events.Enqueue(now);
                    return;
                }

                TimeSpan wait = window - time.GetElapsedTime(_events.Peek(), now);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
