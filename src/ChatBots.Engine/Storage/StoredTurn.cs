namespace ChatBots.Engine.Storage;

/// <summary>Who spoke a turn. Stored by name.</summary>
public enum TurnRole
{
    User = 0,
    Assistant = 1,
}

/// <summary>
/// One message of a conversation's verbatim history.
/// </summary>
/// <param name="Sequence">Position in the conversation, increasing from 1; eviction removes a prefix of sequences.</param>
/// <param name="Role">User or assistant.</param>
/// <param name="AuthorId">Platform-qualified author id for user turns; null for the assistant.</param>
/// <param name="AuthorName">Display name sent to the model as the message name in group histories; null otherwise.</param>
/// <param name="Text">The text as sent to the model.</param>
/// <param name="TokenCount">The message's tokens including its chat framing, counted once when stored.</param>
/// <param name="Encoding">The encoding <paramref name="TokenCount"/> was counted with (<c>o200k_base</c>).</param>
/// <param name="At">When the turn was stored.</param>
public sealed record StoredTurn(
    long Sequence,
    TurnRole Role,
    string? AuthorId,
    string? AuthorName,
    string Text,
    int TokenCount,
    string Encoding,
    DateTimeOffset At)
{
    /// <summary>
    /// For a user turn, the platform's id of the message it came from. A message delivered again (a Telegram update
    /// replayed after a crash, a Discord event replayed on resume) is recognised by it and answered from the stored
    /// answer instead of calling the model and billing a second time.
    /// </summary>
    public string? SourceMessageId { get; init; }
}
