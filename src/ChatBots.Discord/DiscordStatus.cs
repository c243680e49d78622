namespace ChatBots.Discord;

/// <summary>The Discord adapter's state, for the health endpoint. Registered even when the adapter is off.</summary>
public sealed class DiscordStatus
{
    private volatile bool _connected;
    private volatile string? _faultReason;
    private long _lastHeartbeatAckTicks = -1;

    /// <summary>True between READY/RESUMED and the next disconnect.</summary>
    public bool IsConnected => _connected;

    /// <summary>True when the adapter stopped for good (bad token, disallowed intents, …).</summary>
    public bool IsFaulted => _faultReason is not null;

    /// <summary>What stopped the adapter and how to fix it.</summary>
    public string? FaultReason => _faultReason;

    /// <summary>When Discord last acknowledged a heartbeat (UTC, on the host's clock): the gateway is alive.</summary>
    public DateTimeOffset? LastHeartbeatAck
    {
        get
        {
            long ticks = Interlocked.Read(ref _lastHeartbeatAckTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    internal void MarkConnected() => _connected = true;

    internal void MarkDisconnected() => _connected = false;

    internal void MarkHeartbeatAck(DateTimeOffset at) => Interlocked.Exchange(ref _lastHeartbeatAckTicks, at.UtcTicks);

    internal void MarkFaulted(string reason)
    {
        _connected = false;
        _faultReason = reason;
    }
}
