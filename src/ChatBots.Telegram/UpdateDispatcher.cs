using System.Text.Json;
using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace ChatBots.Telegram;

/// <summary>
/// Takes updates from either receiver: skips answered ones, persists the accepted ones as pending (before the offset
/// moves on), and hands them to the engine's lanes without waiting for any model. Keeps each conversation in update
/// order: an update whose reply did not get through is delivered again later, backlog that finds its lane full waits for
/// room, and newer updates of the same conversation wait behind either, all decided under one lock so a retry and a
/// live message can never overtake each other.
/// </summary>
internal sealed class UpdateDispatcher(
    TelegramUpdateMapper mapper,
    UpdateJournal journal,
    IConversationEngine engine,
    TelegramDelivery delivery,
    InflightTracker tracker,
    TelegramRedeliveryOptions redelivery,
    TimeProvider time,
    ILogger logger)
{
    private readonly Lock _gate = new();

    // Per conversation, by update id: every accepted update not yet answered that this process tracks.
    private readonly Dictionary<ConversationKey, SortedList<int, HeldUpdate>> _held = [];

    // Completed (and replaced) whenever a retry is scheduled, so the redelivery loop recomputes its wait.
    private TaskCompletionSource _scheduled = NewSignal();

    private enum HandOver
    {
        Done,
        Blocked,
        Stopping,
    }

    /// <summary>Maps and persists the update; null when it is not for the bot, already answered or already pending.</summary>
    public async Task<MappedMessage?> AcceptAsync(Update update, string? json, CancellationToken cancellationToken)
    {
        MappedMessage? mapped = mapper.Map(update);
        if (mapped is null)
        {
            Log.UpdateIgnored(logger, update.Id);
            return null;
        }

        if (await journal.IsAnsweredAsync(update.Id, cancellationToken))
        {
            return null;
        }

        json ??= JsonSerializer.Serialize(update, JsonBotAPI.Options);
        if (!await journal.TryAddPendingAsync(update.Id, json, cancellationToken))
        {
            // Already accepted (a re-delivery after a restart, replayed from the store): it is in flight.
            return null;
        }

        return mapped;
    }

    /// <summary>
    /// Hands an accepted update to the engine, after any earlier update of its conversation that is still held back.
    /// When its lane is full, live traffic is told the bot is busy (and the update is done), while backlog stays pending
    /// and goes as soon as a message of its conversation finishes: nobody sent it expecting a quick answer, and a restart
    /// after downtime must not turn a queue of waiting messages into "busy" replies. Never waits for the model.
    /// </summary>
    /// <param name="mapped">The accepted update.</param>
    /// <param name="backlog">
    /// It waited on Telegram's server while the bot was down (decided by position by the receiver, never by comparing
    /// clocks), or it was replayed from the journal.
    /// </param>
    public void Enqueue(MappedMessage mapped, bool backlog)
    {
        Log.UpdateAccepted(logger, mapped.UpdateId, mapped.Message.Conversation.ToString());
        Log.MessageText(logger, mapped.UpdateId, mapped.Message.Text);
        lock (_gate)
        {
            ConversationKey key = mapped.Message.Conversation;
            SortedList<int, HeldUpdate> queue = QueueOf(key);
            if (!queue.ContainsKey(mapped.UpdateId))
            {
                queue.Add(mapped.UpdateId, new HeldUpdate(mapped, live: !backlog));
            }

            Pump(key);
        }
    }

    /// <summary>
    /// The engine is done with an update (the sink says so after recording the outcome): answered, left pending because
    /// the adapter is stopping, or not delivered, which schedules another attempt. Either way a lane slot is free and
    /// whatever waited behind it may go.
    /// </summary>
    public void Finished(MappedMessage mapped, bool answered, bool stopping)
    {
        lock (_gate)
        {
            ConversationKey key = mapped.Message.Conversation;
            SortedList<int, HeldUpdate> queue = QueueOf(key);
            if (answered || stopping)
            {
                // Stopping: the update stays pending in the store and is replayed at the next start.
                queue.Remove(mapped.UpdateId);
            }
            else
            {
                if (!queue.TryGetValue(mapped.UpdateId, out HeldUpdate? entry))
                {
                    // A "busy" notice that did not get through: the update goes to the engine when it is retried.
                    queue.Add(mapped.UpdateId, entry = new HeldUpdate(mapped, live: false));
                }

                DateTimeOffset now = time.GetUtcNow();
                entry.InEngine = false;
                entry.Live = false;
                entry.Failures++;
                entry.FailedSince ??= now;
                TimeSpan delay = redelivery.DelayAfter(entry.Failures);
                entry.Due = now + delay;
                Log.RedeliveryScheduled(logger, mapped.UpdateId, delay, entry.Failures);
                _scheduled.TrySetResult();
                _scheduled = NewSignal();
            }

            if (!stopping)
            {
                Pump(key);
            }

            if (queue.Count == 0)
            {
                _held.Remove(key);
            }
        }
    }

    /// <summary>Re-enqueues every accepted, unanswered update, oldest first (called before receiving anything new).</summary>
    public async Task ReplayPendingAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<(int UpdateId, string Json)> pending = await journal.ListPendingAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return;
        }

        Log.Replaying(logger, pending.Count);
        foreach ((int updateId, string json) in pending)
        {
            try
            {
                Update? update = JsonSerializer.Deserialize<Update>(json, JsonBotAPI.Options);
                MappedMessage? mapped = update is null ? null : mapper.Map(update);
                if (mapped is null)
                {
                    await journal.DeletePendingAsync(updateId, cancellationToken);
                    continue;
                }

                Enqueue(mapped, backlog: true);
            }
            catch (JsonException ex)
            {
                Log.ReplayFailed(logger, ex);
                await journal.DeletePendingAsync(updateId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Until stopped: waits for the earliest scheduled retry, hands due updates to the engine again (in their
    /// conversation's order), and gives up on those whose delivery kept failing for
    /// <see cref="TelegramRedeliveryOptions.GiveUpAfter"/> (recorded as done, so a restart does not try them again).
    /// Waits on the clock only while a retry is scheduled.
    /// </summary>
    public async Task RunRedeliveryAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task scheduled;
            DateTimeOffset? next;
            lock (_gate)
            {
                scheduled = _scheduled.Task;
                next = _held.Values.SelectMany(q => q.Values).Min(e => e.Due);
            }

            if (next is null)
            {
                await scheduled.WaitAsync(cancellationToken);
            }
            else if (next.Value - time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                try
                {
                    await scheduled.WaitAsync(wait, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The earliest retry is due.
                }
            }

            // Due updates are handed over before anything is awaited: a message arriving meanwhile finds them in order.
            foreach (MappedMessage mapped in TakeDue())
            {
                try
                {
                    await journal.MarkAnsweredAsync(mapped.UpdateId, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Still pending in the store (a store error, also one raised while stopping): the next start tries it
                    // once more. Logged here, so it never replaces how the receiver ended.
                    Log.GiveUpNotSaved(logger, mapped.UpdateId, ex);
                }
            }
        }
    }

    /// <summary>Readies due retries and hands them over; returns the updates given up on (the caller records them).</summary>
    private List<MappedMessage> TakeDue()
    {
        var expired = new List<MappedMessage>();
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            foreach ((ConversationKey key, SortedList<int, HeldUpdate> queue) in _held.ToList())
            {
                bool due = false;
                foreach (HeldUpdate entry in queue.Values.ToList())
                {
                    if (entry.Due is not { } at || at > now)
                    {
                        continue;
                    }

                    due = true;
                    if (entry.FailedSince is { } since && now - since >= redelivery.GiveUpAfter)
                    {
                        queue.Remove(entry.UpdateId);
                        expired.Add(entry.Mapped);
                        Log.RedeliveryAbandoned(logger, entry.UpdateId, entry.Mapped.ChatId, redelivery.GiveUpAfter);
                    }
                    else
                    {
                        // Ready: handed over below, when nothing earlier of its conversation is held back.
                        entry.Due = null;
                    }
                }

                if (due)
                {
                    Pump(key);
                }

                if (queue.Count == 0)
                {
                    _held.Remove(key);
                }
            }
        }

        return expired;
    }

    private SortedList<int, HeldUpdate> QueueOf(ConversationKey key)
    {
        if (!_held.TryGetValue(key, out SortedList<int, HeldUpdate>? queue))
        {
            _held[key] = queue = [];
        }

        return queue;
    }

    /// <summary>
    /// Hands the conversation's held updates to the engine in update order, up to the first that cannot go (a retry not
    /// yet due or not yet answered, or a full lane); everything after it waits behind it. Called under the lock.
    /// </summary>
    private void Pump(ConversationKey key)
    {
        if (!_held.TryGetValue(key, out SortedList<int, HeldUpdate>? queue))
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        HeldUpdate? blocker = null;
        foreach (HeldUpdate entry in queue.Values.ToList())
        {
            if (entry.InEngine)
            {
                // Already in the lane, which keeps the order from here. A retry, though, holds back what came after it
                // until it is answered: should it fail again, nothing newer may have overtaken it.
                if (entry.Failures > 0)
                {
                    blocker ??= entry;
                }

                continue;
            }

            if (blocker is not null)
            {
                // It waits: if the lane is full when its turn comes, it is backlog by then, never "busy".
                entry.Live = false;
                if (!entry.LoggedBehind)
                {
                    entry.LoggedBehind = true;
                    Log.WaitingBehind(logger, entry.UpdateId, blocker.UpdateId);
                }

                continue;
            }

            if (entry.Due > now)
            {
                blocker = entry;
                continue;
            }

            switch (HandOverLocked(queue, entry))
            {
                case HandOver.Done when entry.InEngine && entry.Failures > 0:
                case HandOver.Blocked:
                    blocker = entry;
                    break;
                case HandOver.Stopping:
                    // Nothing more goes to the engine: what is held stays pending in the store for the next start.
                    foreach (HeldUpdate waiting in queue.Values.Where(e => !e.InEngine).ToList())
                    {
                        queue.Remove(waiting.UpdateId);
                    }

                    return;
            }
        }
    }

    private HandOver HandOverLocked(SortedList<int, HeldUpdate> queue, HeldUpdate entry)
    {
        tracker.Enter();
        var sink = new TelegramReplySink(entry.Mapped, delivery, journal, tracker, this, time, logger);
        EnqueueResult result;
        try
        {
            result = engine.Enqueue(entry.Mapped.Message, sink);
        }
        catch (Exception ex)
        {
            // An engine failure here is a bug: the update stays pending in the store for the next start.
            tracker.Exit();
            queue.Remove(entry.UpdateId);
            Log.HandOverFailed(logger, entry.UpdateId, ex);
            return HandOver.Done;
        }

        switch (result)
        {
            case EnqueueResult.Accepted:
                entry.InEngine = true;
                entry.Due = null;
                entry.WaitingForRoom = false;
                return HandOver.Done;
            case EnqueueResult.Busy when entry.Live:
                Log.EngineRefused(logger, entry.UpdateId, "busy");
                queue.Remove(entry.UpdateId);
                _ = Task.Run(() => ReplyBusyAsync(sink), CancellationToken.None);
                return HandOver.Done;
            case EnqueueResult.Busy:
                tracker.Exit();
                entry.Live = false;
                if (!entry.WaitingForRoom)
                {
                    entry.WaitingForRoom = true;
                    Log.WaitingForRoom(logger, entry.UpdateId);
                }

                return HandOver.Blocked;
            default:
                Log.EngineRefused(logger, entry.UpdateId, "stopping");
                tracker.Exit();
                return HandOver.Stopping;
        }
    }

    private static async Task ReplyBusyAsync(TelegramReplySink sink)
    {
        await sink.SendAsync(new OutgoingReply("I'm still working on earlier messages here. Please send this again in a moment.", ReplyKind.Notice), CancellationToken.None);
        await sink.WorkFinishedAsync(CancellationToken.None);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
