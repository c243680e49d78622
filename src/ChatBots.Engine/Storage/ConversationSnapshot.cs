namespace ChatBots.Engine.Storage;

/// <summary>The rolling summary of evicted turns.</summary>
/// <param name="Text">The summary text.</param>
/// <param name="TokenCount">Its tokens including framing, in <paramref name="Encoding"/>.</param>
/// <param name="Encoding">The encoding of <paramref name="TokenCount"/>.</param>
/// <param name="ThroughSequence">The last turn sequence folded into it.</param>
public sealed record ConversationSummary(string Text, int TokenCount, string Encoding, long ThroughSequence);

/// <summary>Everything the engine needs to continue a conversation: its summary, its verbatim turns in order, and its settings.</summary>
public sealed record ConversationSnapshot(ConversationSummary? Summary, IReadOnlyList<StoredTurn> Turns)
{
    public static ConversationSnapshot Empty { get; } = new(null, []);

    /// <summary>The conversation's own settings (all defaults when none were set).</summary>
    public ConversationSettings Settings { get; init; } = ConversationSettings.Default;
}
