using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Storage;

/// <summary>Durable conversation history. Every method is atomic: a crash leaves either the old or the new state.</summary>
public interface IConversationStore
{
    /// <summary>The summary, the verbatim turns (ascending sequence) and the settings; an unknown conversation is empty with default settings.</summary>
    Task<ConversationSnapshot> LoadAsync(ConversationKey key, CancellationToken cancellationToken);

    /// <summary>Appends turns (their sequences above every stored one) in one transaction.</summary>
    Task AppendTurnsAsync(ConversationKey key, IReadOnlyList<StoredTurn> turns, CancellationToken cancellationToken);

    /// <summary>Deletes every turn up to <see cref="ConversationSummary.ThroughSequence"/> and stores the new summary, in one transaction.</summary>
    Task ApplySummaryAsync(ConversationKey key, ConversationSummary summary, CancellationToken cancellationToken);

    /// <summary>Forgets the conversation's turns and summary; its settings stay.</summary>
    Task ResetAsync(ConversationKey key, CancellationToken cancellationToken);

    /// <summary>How many conversations have any history (settings alone do not count).</summary>
    Task<long> CountConversationsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the conversation's settings (<see cref="ConversationSettings.Default"/> clears them), leaving its history alone.</summary>
    Task SetSettingsAsync(ConversationKey key, ConversationSettings settings, CancellationToken cancellationToken);
}
