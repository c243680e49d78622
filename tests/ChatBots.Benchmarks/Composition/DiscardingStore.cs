using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;

namespace ChatBots.Benchmarks.Composition;

/// <summary>
/// A store that keeps nothing: in production turns and the ledger live on disk, so measuring the memory the engine
/// itself holds per conversation needs a store that does not hold them in the process.
/// </summary>
internal sealed class DiscardingStore : IConversationStore, ILedgerStore
{
    public Task<ConversationSnapshot> LoadAsync(ConversationKey key, CancellationToken cancellationToken) => Task.FromResult(ConversationSnapshot.Empty);

    public Task AppendTurnsAsync(ConversationKey key, IReadOnlyList<StoredTurn> turns, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ApplySummaryAsync(ConversationKey key, ConversationSummary summary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResetAsync(ConversationKey key, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<long> CountConversationsAsync(CancellationToken cancellationToken) => Task.FromResult(0L);

    public Task SetSettingsAsync(ConversationKey key, ConversationSettings settings, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AppendAsync(LedgerEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<UsageTotals> SumAsync(LedgerFilter filter, CancellationToken cancellationToken) => Task.FromResult(UsageTotals.None);

    public Task<IReadOnlyList<UsageRow>> GroupAsync(UsageGrouping grouping, LedgerFilter filter, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageRow>>([]);
}
