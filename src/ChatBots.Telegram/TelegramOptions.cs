using System.ComponentModel.DataAnnotations;

namespace ChatBots.Telegram;

/// <summary>Settings of the Telegram adapter (section <c>Telegram</c>). The adapter runs only when <see cref="BotToken"/> is set.</summary>
public sealed class TelegramOptions
{
    public const string SectionName = "Telegram";

    /// <summary>The default public Bot API.</summary>
    public const string DefaultApiBaseUrl = "https://api.telegram.org";

    /// <summary>The token from BotFather (<c>123456:ABC…</c>). A secret: set it through <c>Telegram__BotToken</c>, never in config files.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The Bot API server; a local <c>telegram-bot-api</c> server or a test fake.</summary>
    [Required(ErrorMessage = "Telegram:ApiBaseUrl must be set (default https://api.telegram.org).")]
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>Long polling (default) or webhook.</summary>
    public TelegramMode Mode { get; set; } = TelegramMode.LongPolling;

    /// <summary>How long one getUpdates call may wait for updates.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:40", ErrorMessage = "Telegram:PollTimeout must be between 00:00:01 and 00:01:40.")]
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Answer every message in groups, not only mentions, replies and commands (needs privacy mode off).</summary>
    public bool AnswerAllInGroups { get; set; }

    /// <summary>Keep one history per user in groups instead of one shared history per chat (or topic).</summary>
    public bool HistoryPerUserInGroups { get; set; }

    /// <summary>Settings used when <see cref="Mode"/> is <see cref="TelegramMode.Webhook"/>.</summary>
    public TelegramWebhookOptions Webhook { get; set; } = new();

    /// <summary>How replies Telegram did not take are delivered again while the bot runs.</summary>
    public TelegramRedeliveryOptions Redelivery { get; set; } = new();
}
