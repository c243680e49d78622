namespace ChatBots.Telegram;

/// <summary>How the adapter receives updates from Telegram.</summary>
public enum TelegramMode
{
    /// <summary>The adapter asks Telegram for updates (getUpdates); works behind NAT, no public URL needed.</summary>
    LongPolling,

    /// <summary>Telegram POSTs updates to a public HTTPS URL served by the adapter.</summary>
    Webhook,
}
