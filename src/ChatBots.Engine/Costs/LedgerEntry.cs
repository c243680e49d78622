using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Costs;

/// <summary>What a ledger entry paid for. Stored by name.</summary>
public enum LedgerKind
{
    Chat = 0,
    Summary = 1,
    Transcription = 2,
}

/// <summary>
/// One billed call. Tokens are kept raw beside the cost so costs can be recomputed with another price table.
/// </summary>
/// <param name="At">When the call finished.</param>
/// <param name="Conversation">The conversation that pays.</param>
/// <param name="UserId">Platform-qualified id of the user who caused the call (<c>telegram:42</c>).</param>
/// <param name="Model">The model the server reported (or the one asked for).</param>
/// <param name="Kind">Chat, summary or transcription.</param>
/// <param name="InputTokens">Prompt tokens, cached ones included.</param>
/// <param name="CachedInputTokens">The part of <paramref name="InputTokens"/> billed at the cached price.</param>
/// <param name="OutputTokens">Completion tokens (reasoning included).</param>
/// <param name="AudioSeconds">Seconds of audio for transcriptions; 0 otherwise.</param>
/// <param name="Cost">The price of the call.</param>
/// <param name="Estimated">True when the server reported no usage (we counted) or the model's price is unknown.</param>
/// <param name="PriceVersion">The date of the price table used (<c>2026-11-28</c>), or <c>default</c> for unlisted models.</param>
public sealed record LedgerEntry(
    DateTimeOffset At,
    ConversationKey Conversation,
    string UserId,
    string Model,
    LedgerKind Kind,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal AudioSeconds,
    MicroUsd Cost,
    bool Estimated,
    string PriceVersion);
