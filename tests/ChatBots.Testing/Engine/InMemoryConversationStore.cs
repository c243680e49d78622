using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;

namespace ChatBots.Testing.Engine;

/// <summary>A hand-written in-memory store (conversations, their settings, and the ledger) for engine tests and benchmarks. Settings outlive a reset, as in SQLite.</summary>
public sealed class InMemoryConversationStore : IConversationStore, ILedgerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ConversationKey, (ConversationSummary? Summary, List<StoredTurn> Turns)> _conversations = [];
    private readonly Dictionary<ConversationKey, ConversationSettings> _settings = [];
    private readonly List<LedgerEntry> _ledger = [];

    public IReadOnlyList<LedgerEntry> Ledger
    {
        get
        {
            lock (_gate)
            {
                return [.. _ledger];
            }
        }
    }

    public Task<ConversationSnapshot> LoadAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ConversationSettings settings = _settings.GetValueOrDefault(key, ConversationSettings.Default);
            ConversationSnapshot snapshot = _conversations.TryGetValue(key, out var c)
                ? new ConversationSnapshot(c.Summary, [.. c.Turns])
                : ConversationSnapshot.Empty;
            return Task.FromResult(settings.IsDefault ? snapshot : snapshot with { Settings = settings });
        }
    }

    public Task AppendTurnsAsync(ConversationKey key, IReadOnlyList<StoredTurn> turns, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(key, out var c))
            {
                c = (null, []);
                _conversations[key] = c;
            }

            // As the SQLite primary key does: a batch repeating a stored sequence fails as a whole.
            if (turns.Select(t => t.Sequence).Distinct().Count() != turns.Count || turns.Any(t => c.Turns.Exists(stored => stored.Sequence == t.Sequence)))
            {
                throw new InvalidOperationException($"Turn sequence already stored in {key}.");
            }

            c.Turns.AddRange(turns);
        }

        return Task.CompletedTask;
    }

    public Task ApplySummaryAsync(ConversationKey key, ConversationSummary summary, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            List<StoredTurn> turns = _conversations.TryGetValue(key, out var c) ? c.Turns : [];
            turns.RemoveAll(t => t.Sequence <= summary.ThroughSequence);
            _conversations[key] = (summary, turns);
        }

        return Task.CompletedTask;
    }

    public Task ResetAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _conversations.Remove(key);
        }

        return Task.CompletedTask;
    }

    public Task SetSettingsAsync(ConversationKey key, ConversationSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_gate)
        {
            if (settings.IsDefault)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = settings;
            }
        }

        return Task.CompletedTask;
    }

    public Task<long> CountConversationsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_conversations.Count);
        }
    }

    public Task AppendAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _ledger.Add(entry);
        }

        return Task.CompletedTask;
    }

    public Task<UsageTotals> SumAsync(LedgerFilter filter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Sum(_ledger.Where(e => Matches(e, filter))));
        }
    }

    public Task<IReadOnlyList<UsageRow>> GroupAsync(UsageGrouping grouping, LedgerFilter filter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsageRow> rows = [.. _ledger.Where(e => Matches(e, filter))
                .GroupBy(e => grouping switch
                {
                    UsageGrouping.Day => e.At.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    UsageGrouping.Model => e.Model,
                    UsageGrouping.Platform => e.Conversation.Platform.ToString().ToLowerInvariant(),
                    _ => e.Conversation.ToString(),
                })
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new UsageRow(g.Key, Sum(g)))];
            return Task.FromResult(rows);
        }
    }

    private static bool Matches(LedgerEntry e, LedgerFilter f) =>
        (f.From is null || e.At >= f.From) && (f.To is null || e.At < f.To)
        && (f.UserId is null || e.UserId == f.UserId) && (f.Conversation is null || e.Conversation == f.Conversation);

    private static UsageTotals Sum(IEnumerable<LedgerEntry> entries)
    {
        UsageTotals t = UsageTotals.None;
        foreach (LedgerEntry e in entries)
        {
            t = new UsageTotals(
                t.Calls + 1,
                t.InputTokens + e.InputTokens,
                t.CachedInputTokens + e.CachedInputTokens,
                t.OutputTokens + e.OutputTokens,
                t.AudioSeconds + e.AudioSeconds,
                t.Cost + e.Cost,
                t.EstimatedCalls + (e.Estimated ? 1 : 0));
        }

        return t;
    }
}
