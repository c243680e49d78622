using Microsoft.Extensions.Logging;

namespace ChatBots.Engine;

/// <summary>The engine's log events. Ids, sizes and counts at Information and below; message text only at Trace.</summary>
internal static partial class Log
{
    // Money is logged as integer micro-dollars, like the ledger holds it, so log queries can sum and compare it.
    [LoggerMessage(1001, LogLevel.Information, "Replied in {Conversation}: {InputTokens} in ({CachedTokens} cached) / {OutputTokens} out tokens, {CostMicroUsd} µUSD ({Model}{Estimated})")]
    public static partial void Replied(ILogger logger, string conversation, long inputTokens, long cachedTokens, long outputTokens, long costMicroUsd, string model, string estimated);

    [LoggerMessage(1002, LogLevel.Trace, "Prompt for {Conversation}: {Text}")]
    public static partial void PromptText(ILogger logger, string conversation, string text);

    [LoggerMessage(1003, LogLevel.Information, "Folded {Turns} turns ({Tokens} tokens) of {Conversation} into the summary")]
    public static partial void Evicted(ILogger logger, string conversation, int turns, long tokens);

    [LoggerMessage(1004, LogLevel.Warning, "Summarising {Conversation} failed: {Kind} (HTTP {Status}, code {ErrorCode}); {Action}")]
    public static partial void SummaryFailed(ILogger logger, string conversation, string kind, int? status, string errorCode, string action);

    [LoggerMessage(1014, LogLevel.Warning, "Summarising {Conversation} failed unexpectedly: {Kind} (HTTP {Status}); {Action}")]
    public static partial void SummaryFailedUnexpectedly(ILogger logger, string conversation, string kind, int? status, string action, Exception exception);

    [LoggerMessage(1020, LogLevel.Warning, "Dropped {Turns} turns ({Tokens} tokens) of {Conversation} without summarising them: the budget has no room for the summary call on the context-length retry")]
    public static partial void DroppedUnsummarised(ILogger logger, string conversation, int turns, long tokens);

    [LoggerMessage(1005, LogLevel.Information, "Refused {Conversation} for {User}: {Budget} is used up")]
    public static partial void BudgetRefused(ILogger logger, string conversation, string user, string budget);

    [LoggerMessage(1016, LogLevel.Information, "Refused {Conversation} for {User}: {Budget} has {LeftMicroUsd} µUSD left, the call needs at least {NeededMicroUsd} µUSD")]
    public static partial void BudgetTooSmall(ILogger logger, string conversation, string user, string budget, long leftMicroUsd, long neededMicroUsd);

    // Routine failures (a bad key, no credit, a rate limit…) are fully described by kind, status and the provider's code:
    // a stack trace would only bury them. Anything else keeps its exception (1015).
    [LoggerMessage(1006, LogLevel.Warning, "Model call for {Conversation} failed: {Kind} (HTTP {Status}, code {ErrorCode})")]
    public static partial void ModelFailed(ILogger logger, string conversation, string kind, int? status, string errorCode);

    [LoggerMessage(1015, LogLevel.Warning, "Model call for {Conversation} failed unexpectedly: {Kind} (HTTP {Status})")]
    public static partial void ModelFailedUnexpectedly(ILogger logger, string conversation, string kind, int? status, Exception exception);

    [LoggerMessage(1007, LogLevel.Warning, "The server said the prompt of {Conversation} was too long ({Tokens} counted tokens); trimming harder and retrying once")]
    public static partial void ContextRetry(ILogger logger, string conversation, long tokens);

    [LoggerMessage(1008, LogLevel.Error, "Handling a message of {Conversation} failed")]
    public static partial void HandlerFailed(ILogger logger, string conversation, Exception exception);

    [LoggerMessage(1009, LogLevel.Information, "Refused {Conversation} for {User}: not on the allow-list")]
    public static partial void AccessRefused(ILogger logger, string conversation, string user);

    [LoggerMessage(1010, LogLevel.Information, "Message of {Conversation} truncated from {Tokens} to {Budget} tokens")]
    public static partial void Truncated(ILogger logger, string conversation, int tokens, int budget);

    [LoggerMessage(1011, LogLevel.Warning, "Delivering a reply to {Conversation} failed")]
    public static partial void DeliveryFailed(ILogger logger, string conversation, Exception exception);

    [LoggerMessage(1012, LogLevel.Debug, "Prompt drift for {Model}: server counted {Reported}, we counted {Counted}")]
    public static partial void Drift(ILogger logger, string model, long reported, long counted);

    [LoggerMessage(1017, LogLevel.Warning, "No room for a message in {Conversation}: the system prompt ({SystemTokens} tokens) and the summary allowance ({SummaryTokens}) fill the prompt budget of {Budget}")]
    public static partial void NoRoom(ILogger logger, string conversation, int systemTokens, int summaryTokens, int budget);

    [LoggerMessage(1018, LogLevel.Information, "Settings of {Conversation} changed by {User}: context cap {Cap}, cost footer {Footer}")]
    public static partial void SettingsChanged(ILogger logger, string conversation, string user, string cap, string footer);

    [LoggerMessage(1013, LogLevel.Information, "Message {MessageId} of {Conversation} was delivered again; re-sent its stored answer without a model call")]
    public static partial void ReplayedAnswer(ILogger logger, string conversation, string messageId);
}
