using System.Net.WebSockets;
using ChatBots.Discord.Rest;

namespace ChatBots.Discord.Gateway;

/// <summary>
/// Per-socket state. A fresh instance per connection is what resets the ACK flag: a stale "no ACK" carried over from
/// the previous socket would kill every new connection at its first beat.
/// </summary>
internal sealed class GatewayConnection(ClientWebSocket socket, bool resuming, TimeProvider time)
{
    private readonly TaskCompletionSource<ConnectionOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _heartbeatCts;
    private Task _heartbeat = Task.CompletedTask;
    private volatile bool _ackReceived = true;
    private long _readyAt = -1;
    private TimeSpan _heartbeatInterval;

    public ClientWebSocket Socket { get; } = socket;

    public bool Resuming { get; } = resuming;

    public SemaphoreSlim SendGate { get; } = new(1, 1);

    public SlidingWindowLimiter SendLimiter { get; } = new(110, TimeSpan.FromSeconds(60), time);

    public bool AckReceived
    {
        get => _ackReceived;
        set => _ackReceived = value;
    }

    public Task<ConnectionOutcome> Outcome => _outcome.Task;

    /// <summary>The first reason wins; later ones (the close that follows op 7) are ignored.</summary>
    public void SetOutcome(ConnectionOutcome outcome) => _outcome.TrySetResult(outcome);

    /// <summary>READY or RESUMED arrived on this connection.</summary>
    public void MarkReady() => Interlocked.CompareExchange(ref _readyAt, time.GetTimestamp(), -1);

    /// <summary>
    /// READY or RESUMED arrived and the connection then lived at least one heartbeat interval. A server that closes
    /// straight after RESUMED must count as a failure, or every reconnect would come without backoff.
    /// </summary>
    public bool LivedHealthy()
    {
        long readyAt = Interlocked.Read(ref _readyAt);
        return readyAt >= 0 && _heartbeatInterval > TimeSpan.Zero && time.GetElapsedTime(readyAt) >= _heartbeatInterval;
    }

    /// <summary>Hello: reset the ACK flag and (re)start the heartbeat loop.</summary>
    public void StartHeartbeat(TimeSpan interval, Func<CancellationToken, Task> loop, CancellationToken connectionToken)
    {
        _heartbeatCts?.Cancel();
        _heartbeatCts = CancellationTokenSource.CreateLinkedTokenSource(connectionToken);
        _heartbeatInterval = interval;
        _ackReceived = true;
        _heartbeat = loop(_heartbeatCts.Token);
    }

    /// <summary>Waits for the receive and heartbeat tasks after the socket was closed or aborted.</summary>
    public async Task StopAsync(Task receive)
    {
        if (_heartbeatCts is not null)
        {
            await _heartbeatCts.CancelAsync();
        }

        Socket.Abort();
        await Task.WhenAll(receive, _heartbeat).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _heartbeatCts?.Dispose();
        SendGate.Dispose();
    }
}
