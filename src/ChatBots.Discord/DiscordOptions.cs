using System.ComponentModel.DataAnnotations;

namespace ChatBots.Discord;

/// <summary>The <c>Discord</c> configuration section.</summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Discord";

    /// <summary>GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT.</summary>
    public const int DefaultIntents = 37377;

    /// <summary>The bot token from the Developer Portal (Bot page). A secret: set it with <c>Discord__BotToken</c>.</summary>
    [Required(ErrorMessage = "Discord:BotToken is required: copy the token from the Discord Developer Portal, Bot page.")]
    public string BotToken { get; set; } = "";

    /// <summary>The token as Discord wants it: trimmed, without a pasted "Bot " prefix.</summary>
    internal string NormalizedToken
    {
        get
        {
            string token = BotToken.Trim();
            return token.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase) ? token[4..].Trim() : token;
        }
    }

    /// <summary>The REST base URL without version; the client appends <c>/v10</c>. Changed only for tests.</summary>
    [Required(ErrorMessage = "Discord:ApiBaseUrl is required (default https://discord.com/api).")]
    [Url(ErrorMessage = "Discord:ApiBaseUrl must be an absolute http(s) URL such as https://discord.com/api.")]
    public string ApiBaseUrl { get; set; } = "https://discord.com/api";

    /// <summary>Gateway intents bit set; the default includes the privileged MESSAGE_CONTENT intent.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Discord:Intents must be a positive intents bit set (default 37377).")]
    public int Intents { get; set; } = DefaultIntents;

    /// <summary>Channels (ids) where the bot answers every message, not only mentions and replies.</summary>
    public IList<string> AnswerAllChannelIds { get; } = [];

    /// <summary>When mentioned in a text channel, open a public thread from that message and answer there.</summary>
    public bool ThreadPerConversation { get; set; }

    /// <summary>Guilds (ids) to register slash commands in (instant); when empty they are registered globally.</summary>
    public IList<string> CommandGuildIds { get; } = [];

    [Range(0, 100_000, ErrorMessage = "Discord:ShardId must be between 0 and Discord:ShardCount - 1.")]
    public int ShardId { get; set; }

    [Range(1, 100_000, ErrorMessage = "Discord:ShardCount must be at least 1.")]
    public int ShardCount { get; set; } = 1;

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="MaxReconnectDelay"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = "Discord:ReconnectDelay must be between 00:00:00.001 and 00:05:00.")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Discord:MaxReconnectDelay must be between 00:00:00.001 and 01:00:00.")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Circuit breaker: at most this many Identifies per hour, counted in the store so restarts share the budget. Discord
    /// resets the token at 1000 a day; the cap of 40 keeps even a full day of failures (960) below that.
    /// </summary>
    [Range(1, 40, ErrorMessage = "Discord:MaxIdentifiesPerHour must be between 1 and 40 (40 an hour stays below Discord's 1,000 Identifies a day).")]
    public int MaxIdentifiesPerHour { get; set; } = 10;

    /// <summary>Spacing between two Identifies (Discord allows max_concurrency per 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Discord:MinIdentifyInterval must be between 00:00:00 and 00:01:00.")]
    public TimeSpan MinIdentifyInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a slash command may take before the adapter defers its response (Discord allows 3 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:02.500", ErrorMessage = "Discord:InteractionDeferAfter must be between 00:00:00 and 00:00:02.500.")]
    public TimeSpan InteractionDeferAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest rate-limit wait the REST client accepts before failing the request instead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Discord:MaxRateLimitWait must be between 00:00:01 and 00:10:00.")]
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(1);
}
