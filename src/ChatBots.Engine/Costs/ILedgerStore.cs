using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Costs;

/// <summary>Which entries to add up. Null fields do not filter; <see cref="From"/> is inclusive, <see cref="To"/> exclusive.</summary>
public sealed record LedgerFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? UserId = null,
    ConversationKey? Conversation = null);

/// <summary>Totals of a set of ledger entries.</summary>
public sealed record UsageTotals(long Calls, long InputTokens, long CachedInputTokens, long OutputTokens, decimal AudioSeconds, MicroUsd Cost, long EstimatedCalls)
{
    public static UsageTotals None { get; } = new(0, 0, 0, 0, 0m, MicroUsd.Zero, 0);
}

/// <summary>How the operator's usage report groups entries.</summary>
public enum UsageGrouping
{
    Day,
    Model,
    Platform,
    Conversation,
}

/// <summary>One row of a grouped report: the group's key (a date, a model id, a platform, a conversation key) and its totals.</summary>
public sealed record UsageRow(string Group, UsageTotals Totals);

/// <summary>The durable cost ledger.</summary>
public interface ILedgerStore
{
    Task AppendAsync(LedgerEntry entry, CancellationToken cancellationToken);

    Task<UsageTotals> SumAsync(LedgerFilter filter, CancellationToken cancellationToken);

    /// <summary>Totals grouped as asked, ordered by group key.</summary>
    Task<IReadOnlyList<UsageRow>> GroupAsync(UsageGrouping grouping, LedgerFilter filter, CancellationToken cancellationToken);
}
