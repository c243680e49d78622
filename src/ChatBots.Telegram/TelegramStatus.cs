namespace ChatBots.Telegram;

/// <summary>
/// What the Telegram adapter is doing, for health endpoints: connected (getMe answered and receiving), or faulted with
/// a reason that names the setting to fix. Always registered, even when the adapter is not configured.
/// </summary>
public sealed class TelegramStatus
{
    private volatile bool _connected;
    private volatile string? _faultReason;
    private volatile string? _webhookAddress;

    /// <summary>True when a bot token is configured and the adapter service runs.</summary>
    public bool IsEnabled { get; internal set; }

    /// <summary>True once the bot identity is known and updates are being received.</summary>
    public bool IsConnected => _connected;

    /// <summary>True when the adapter stopped for good (bad token, invalid webhook settings).</summary>
    public bool IsFaulted => _faultReason is not null;

    /// <summary>Why the adapter stopped, naming the setting to fix.</summary>
    public string? FaultReason => _faultReason;

    /// <summary>The bot's @username once known.</summary>
    public string? BotUsername { get; internal set; }

    /// <summary>The address the webhook endpoint is bound to (tests bind to port 0).</summary>
    internal string? WebhookAddress
    {
        get => _webhookAddress;
        set => _webhookAddress = value;
    }

    internal void SetConnected(bool connected) => _connected = connected;

    internal void SetFaulted(string reason)
    {
        _connected = false;
        _faultReason = reason;
    }
}
