namespace ChatBots.Telegram;

/// <summary>Settings for <see cref="TelegramMode.Webhook"/> (section <c>Telegram:Webhook</c>).</summary>
public sealed class TelegramWebhookOptions
{
    /// <summary>The public HTTPS base URL Telegram can reach (a reverse proxy in front of <see cref="ListenUrl"/>); <see cref="Path"/> is appended.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>The path of the webhook endpoint.</summary>
    public string Path { get; set; } = "/telegram/webhook";

    /// <summary>Where the adapter's own HTTP endpoint listens.</summary>
    public string ListenUrl { get; set; } = "http://0.0.0.0:8443";

    /// <summary>The secret Telegram sends back in <c>X-Telegram-Bot-Api-Secret-Token</c>; generated and stored when empty.</summary>
    public string SecretToken { get; set; } = "";
}
