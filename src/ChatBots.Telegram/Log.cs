using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>Telegram adapter log events (ids 3000-3099). Never log the token or URLs that contain it; text only at Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Telegram adapter connected as @{Username} ({Mode})")]
    public static partial void Connected(ILogger logger, string username, TelegramMode mode);

    [LoggerMessage(3002, LogLevel.Critical, "Telegram rejected the bot token (401): check Telegram:BotToken. The Telegram adapter is stopped; the rest of the host keeps running.")]
    public static partial void InvalidToken(ILogger logger);

    [LoggerMessage(3029, LogLevel.Critical, "Telegram getMe answered 404: Telegram:ApiBaseUrl ({ApiBaseUrl}) may not be a Bot API server, or Telegram:BotToken is malformed. The Telegram adapter is stopped; the rest of the host keeps running.")]
    public static partial void ApiNotFound(ILogger logger, string apiBaseUrl);

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

    [LoggerMessage(3009, LogLevel.Error, "Telegram reply to chat {ChatId} failed; the update stays pending and its delivery is retried")]
    public static partial void ReplyFailed(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3010, LogLevel.Information, "Telegram rejected the HTML of a reply to chat {ChatId}; resending it as plain text")]
    public static partial void HtmlRejected(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3011, LogLevel.Debug, "Telegram typing action for chat {ChatId} failed")]
    public static partial void TypingFailed(ILogger logger, long chatId, Exception exception);

    [LoggerMessage(3012, LogLevel.Information, "Telegram update {UpdateId} was not fully answered; it stays pending")]
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

    [LoggerMessage(3024, LogLevel.Warning, "Telegram webhook request could not be read")]
    public static partial void WebhookBadRequest(ILogger logger, Exception exception);

    [LoggerMessage(3025, LogLevel.Error, "Telegram: replaying a stored update failed")]
    public static partial void ReplayFailed(ILogger logger, Exception exception);

    [LoggerMessage(3026, LogLevel.Critical, "The Telegram adapter stopped after an unexpected error; the rest of the host keeps running")]
    public static partial void AdapterFailed(ILogger logger, Exception exception);

    [LoggerMessage(3027, LogLevel.Information, "Telegram group {ChatId} became supergroup {NewChatId}; resending there")]
    public static partial void ChatMigrated(ILogger logger, long chatId, long newChatId);

    [LoggerMessage(3028, LogLevel.Warning, "Telegram: could not record a delivered part of the reply to update {UpdateId}; a replay of this update may send that part again")]
    public static partial void DeliveredPartsNotSaved(ILogger logger, int updateId, Exception exception);

    [LoggerMessage(3030, LogLevel.Information, "Telegram update {UpdateId}: its reply did not get through; delivering it again in {Delay} (failure {Failures})")]
    public static partial void RedeliveryScheduled(ILogger logger, int updateId, TimeSpan delay, int failures);

    [LoggerMessage(3031, LogLevel.Warning, "Telegram update {UpdateId} for chat {ChatId} could not be answered within {GiveUpAfter}; giving up on it (it is not retried, not even after a restart)")]
    public static partial void RedeliveryAbandoned(ILogger logger, int updateId, long chatId, TimeSpan giveUpAfter);

    [LoggerMessage(3032, LogLevel.Information, "Telegram update {UpdateId}: skipped {Skipped} reply parts the user already had, sent {Sent}")]
    public static partial void ResumedReply(ILogger logger, int updateId, int skipped, int sent);

    [LoggerMessage(3033, LogLevel.Error, "Telegram: re-delivering pending updates failed; what is pending is replayed at the next start")]
    public static partial void RedeliveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(3034, LogLevel.Debug, "Telegram update {UpdateId} waits behind update {EarlierUpdateId} of the same conversation")]
    public static partial void WaitingBehind(ILogger logger, int updateId, int earlierUpdateId);

    [LoggerMessage(3035, LogLevel.Debug, "Telegram update {UpdateId} (backlog) waits for room in its conversation's queue")]
    public static partial void WaitingForRoom(ILogger logger, int updateId);

    [LoggerMessage(3036, LogLevel.Error, "Telegram update {UpdateId} could not be handed to the engine; it stays pending for the next start")]
    public static partial void HandOverFailed(ILogger logger, int updateId, Exception exception);

    [LoggerMessage(3037, LogLevel.Warning, "Telegram: could not record giving up on update {UpdateId}; it stays pending and is tried again after a restart")]
    public static partial void GiveUpNotSaved(ILogger logger, int updateId, Exception exception);

    [LoggerMessage(3038, LogLevel.Debug, "Telegram webhook: {Count} updates were waiting on Telegram's server; they are backlog")]
    public static partial void WebhookBacklog(ILogger logger, int count);

    [LoggerMessage(3039, LogLevel.Warning, "Telegram getWebhookInfo failed; updates from now on count as live (a full queue answers them \"busy\")")]
    public static partial void WebhookInfoFailed(ILogger logger, Exception exception);
}
