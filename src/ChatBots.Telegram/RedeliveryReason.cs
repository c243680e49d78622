namespace ChatBots.Telegram;

/// <summary>Why a pending update is handed to the engine again.</summary>
internal enum RedeliveryReason
{
    /// <summary>Its reply did not reach the user (Telegram unreachable or failing past the outbox's retries).</summary>
    Failed,

    /// <summary>Backlog (replayed, or waiting on the server while the bot was down) that found the conversation's lane full.</summary>
    Busy,
}
