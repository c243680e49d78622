using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>Telegram adapter log events (ids 3000-3099). Never log the token or URLs that contain it; text only at Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Telegram adapter connected as @{Username} ({Mode})")]
    public static partial void Connected(ILogger logger, string username, TelegramMode mode);

    [LoggerMessage(3002, LogLevel.Critical, "Telegram rejected the bot token ({ErrorCode}): check Telegram:BotToken. The Telegram adapter is stopped; the rest of the host keeps running.")]
    public static partial void InvalidToken(ILogger logger, int errorCode);

    [LoggerMessage(3003, LogLevel.Warning, "Telegram getMe failed; retrying in {Delay}")]
    public static partial void GetMeFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(3004, LogLevel.Warning, "Telegram getUpdates conflict (409): another instance polls with this token, or a webhook is set; retrying in {Delay}")]
    public static partial void PollingConflict(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Telegram getUpdates failed; retrying in {Delay}")]
    public static partial void PollingFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(3006, LogLevel.Information, "Telegram rate limit (429) for chat {ChatId}: waiting {Delay} before resending")]
    public static partial void RateLimited(ILogger logger, long chatId, TimeSpan delay);

    [LoggerMessage(3007, LogLevel.Warning, "Telegram send to chat {ChatId} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void SendRetry(ILogger logger, long chatId, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(3008, LogLevel.Warning, "Telegram refused a reply to chat {ChatId} ({ErrorCode}); not retrying")]
    public static partial void ReplyRefused(ILogger logger, long chatId, int errorCode, Exception exception);

    [LoggerMessage(3009, LogLevel.Error, "Telegram reply to chat {ChatId} failed; the update stays pending and is answered after a restart")]
    public static partial void ReplyFailed(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3010, LogLevel.Information, "Telegram rejected the HTML of a reply to chat {ChatId}; resending it as plain text")]
    public static partial void HtmlRejected(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3011, LogLevel.Debug, "Telegram typing action for chat {ChatId} failed")]
    public static partial void TypingFailed(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3012, LogLevel.Information, "Telegram update {UpdateId} was not fully answered; it stays pending for the next start")]
    public static partial void LeftPending(ILogger logger, int updateId);

    [LoggerMessage(3013, LogLevel.Information, "Telegram: replaying {Count} accepted but unanswered updates")]
    public static partial void Replaying(ILogger logger, int count);

    [LoggerMessage(3014, LogLevel.Debug, "Telegram update {UpdateId} is not for the bot; ignored")]
    public static partial void UpdateIgnored(ILogger logger, int updateId);

    [LoggerMessage(3015, LogLevel.Debug, "Telegram update {UpdateId} accepted for {Conversation}")]
    public static partial void UpdateAccepted(ILogger logger, int updateId, string conversation);

    [LoggerMessage(3016, LogLevel.Information, "Telegram update {UpdateId}: the engine is {Result}")]
    public static partial void EngineRefused(ILogger logger, int updateId, string result);

    [LoggerMessage(3017, LogLevel.Debug, "Telegram: registered {Count} commands")]
    public static partial void CommandsRegistered(ILogger logger, int count);

    [LoggerMessage(3018, LogLevel.Warning, "Telegram setMyCommands failed; the command menu may be out of date")]
    public static partial void CommandsFailed(ILogger logger, Exception exception);

    [LoggerMessage(3019, LogLevel.Information, "Telegram webhook listening on {Address}{Path}")]
    public static partial void WebhookListening(ILogger logger, string address, string path);

    [LoggerMessage(3020, LogLevel.Warning, "Telegram webhook request from {RemoteAddress} rejected: wrong or missing secret token")]
    public static partial void WebhookRejected(ILogger logger, string? remoteAddress);

    [LoggerMessage(3021, LogLevel.Debug, "Telegram: pruned {Count} answered-update markers")]
    public static partial void Pruned(ILogger logger, int count);

    [LoggerMessage(3022, LogLevel.Trace, "Telegram update {UpdateId} text: {Text}")]
    public static partial void MessageText(ILogger logger, int updateId, string text);

    [LoggerMessage(3023, LogLevel.Critical, "Telegram webhook could not start: {Reason}. The Telegram adapter is stopped; the rest of the host keeps running.")]
    public static partial void WebhookFatal(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(3024, LogLevel.Warning, "Telegram webhook request could not be read")]
    public static partial void WebhookBadRequest(ILogger logger, Exception exception);

    [LoggerMessage(3025, LogLevel.Error, "Telegram: replaying a stored update failed")]
    public static partial void ReplayFailed(ILogger logger, Exception exception);

    [LoggerMessage(3026, LogLevel.Critical, "The Telegram adapter stopped after an unexpected error; the rest of the host keeps running")]
    public static partial void AdapterFailed(ILogger logger, Exception exception);

    [LoggerMessage(3027, LogLevel.Information, "Telegram group {ChatId} became supergroup {NewChatId}; resending there")]
    public static partial void ChatMigrated(ILogger logger, long chatId, long newChatId);
}
