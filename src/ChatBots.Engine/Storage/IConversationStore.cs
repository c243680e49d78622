using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Storage;

/// <summary>Durable conversation history. Every method is atomic: a crash leaves either the old or the new state.</summary>
public interface IConversationStore
{
    /// <summary>The summary and the verbatim turns (ascending sequence); an unknown conversation is empty.</summary>
    Task<ConversationSnapshot> LoadAsync(ConversationKey key, CancellationToken cancellationToken);

    /// <summary>Appends turns (their sequences above every stored one) in one transaction.</summary>
    Task AppendTurnsAsync(ConversationKey key, IReadOnlyList<StoredTurn> turns, CancellationToken cancellationToken);

    /// <summary>Deletes every turn up to <see cref="ConversationSummary.ThroughSequence"/> and stores the new summary, in one transaction.</summary>
    Task ApplySummaryAsync(ConversationKey key, ConversationSummary summary, CancellationToken cancellationToken);

    /// <summary>Forgets the conversation's turns and summary.</summary>
    Task ResetAsync(ConversationKey key, CancellationToken cancellationToken);

    /// <summary>How many conversations have any history.</summary>
    Task<long> CountConversationsAsync(CancellationToken cancellationToken);
}
