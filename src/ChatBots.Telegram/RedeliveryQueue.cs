using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>
/// Pending updates waiting to be handed to the engine again, so a reply that could not be delivered reaches the user
/// while the process runs (the engine answers a repeated message from its store: no second model call). Failed
/// deliveries wait a growing delay (15 s, doubling, at most 5 min); backlog that found its lane full waits 15 s each
/// time. An update still not answered <see cref="GiveUpAfter"/> after its first deferral is given up.
/// </summary>
internal sealed class RedeliveryQueue(TimeProvider time, ILogger logger)
{
    internal static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(15);
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);
    internal static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<int, Entry> _entries = [];

    /// <summary>Updates currently waiting for another attempt.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Count(e => e.Due is not null);
            }
        }
    }

    /// <summary>Schedules another attempt at <paramref name="mapped"/>.</summary>
    public void Defer(MappedMessage mapped, RedeliveryReason reason)
    {
        DateTimeOffset now = time.GetUtcNow();
        TimeSpan delay;
        int attempt;
        lock (_gate)
        {
            if (!_entries.TryGetValue(mapped.UpdateId, out Entry? entry))
            {
                _entries[mapped.UpdateId] = entry = new Entry(mapped, now);
            }

            if (reason == RedeliveryReason.Failed)
            {
                entry.Failures++;
                double factor = Math.Pow(2, Math.Min(entry.Failures - 1, 20));
                delay = TimeSpan.FromTicks((long)Math.Min(FirstDelay.Ticks * factor, MaxDelay.Ticks));
            }
            else
            {
                // The lane drains at the model's pace: look again soon, without growing the wait.
                delay = FirstDelay;
            }

            attempt = ++entry.Attempts;
            entry.Mapped = mapped;
            entry.Due = now + delay;
        }

        Log.RedeliveryScheduled(logger, mapped.UpdateId, delay, reason == RedeliveryReason.Failed ? "delivery failed" : "lane full", attempt);
    }

    /// <summary>
    /// True when an older update of the same conversation waits for another attempt: a newer one must wait behind it,
    /// or the chat would be answered out of order.
    /// </summary>
    public bool HasEarlierWaiting(MappedMessage mapped)
    {
        lock (_gate)
        {
            return _entries.Values.Any(e => e.Due is not null && e.Mapped.UpdateId < mapped.UpdateId && e.Mapped.Message.Conversation == mapped.Message.Conversation);
        }
    }

    /// <summary>The update was answered: nothing more to do for it.</summary>
    public void Forget(int updateId)
    {
        lock (_gate)
        {
            _entries.Remove(updateId);
        }
    }

    /// <summary>
    /// Takes the updates whose attempt is due (in update id order, so a chat's backlog keeps its order), and those
    /// that waited longer than <see cref="GiveUpAfter"/> in all, which the caller gives up on.
    /// </summary>
    public (List<MappedMessage> Due, List<MappedMessage> Expired) TakeDue()
    {
        DateTimeOffset now = time.GetUtcNow();
        var due = new List<MappedMessage>();
        var expired = new List<MappedMessage>();
        lock (_gate)
        {
            foreach ((int id, Entry entry) in _entries.OrderBy(e => e.Key).ToList())
            {
                if (entry.Due is not { } at || at > now)
                {
                    continue;
                }

                if (now - entry.Since >= GiveUpAfter)
                {
                    _entries.Remove(id);
                    expired.Add(entry.Mapped);
                }
                else
                {
                    // In the engine's hands again until it finishes (answered, or deferred once more).
                    entry.Due = null;
                    due.Add(entry.Mapped);
                }
            }
        }

        return (due, expired);
    }

    private sealed class Entry(MappedMessage mapped, DateTimeOffset since)
    {
        public MappedMessage Mapped { get; set; } = mapped;

        public DateTimeOffset Since { get; } = since;

        public DateTimeOffset? Due { get; set; }

        public int Attempts { get; set; }

        public int Failures { get; set; }
    }
}
