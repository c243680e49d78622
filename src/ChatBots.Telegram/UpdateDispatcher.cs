using System.Text.Json;
using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace ChatBots.Telegram;

/// <summary>
/// Takes updates from either receiver: skips answered ones, persists the accepted ones as pending (before the offset
/// moves on), and hands them to the engine's lanes without waiting for any model. Pending updates whose reply did not
/// get through, and backlog the engine had no room for, are handed over again later.
/// </summary>
internal sealed class UpdateDispatcher(
    TelegramUpdateMapper mapper,
    UpdateJournal journal,
    IConversationEngine engine,
    TelegramDelivery delivery,
    InflightTracker tracker,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How often due redeliveries are looked for.</summary>
    internal static readonly TimeSpan RedeliveryTick = TimeSpan.FromSeconds(1);

    // Messages sent before the adapter connected waited on Telegram's server while the bot was down: backlog.
    private readonly DateTimeOffset _connectedAt = time.GetUtcNow();

    public RedeliveryQueue Redelivery { get; } = new(time, logger);

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

    /// <summary>Hands a newly received update to the engine; never waits for the model.</summary>
    public void Enqueue(MappedMessage mapped) => Enqueue(mapped, backlog: mapped.SentAt < _connectedAt);

    /// <summary>
    /// Hands an accepted update to the engine. When its lane is full, live traffic is told the bot is busy (and the
    /// update is done), while backlog stays pending and is tried again shortly: nobody sent it expecting a quick answer,
    /// and a restart after downtime must not turn a queue of waiting messages into "busy" replies.
    /// </summary>
    private void Enqueue(MappedMessage mapped, bool backlog)
    {
        Log.UpdateAccepted(logger, mapped.UpdateId, mapped.Message.Conversation.ToString());
        Log.MessageText(logger, mapped.UpdateId, mapped.Message.Text);
        if (Redelivery.HasEarlierWaiting(mapped))
        {
            // Older messages of this chat wait for room in its lane: this one queues behind them, in order.
            Redelivery.Defer(mapped, RedeliveryReason.Busy);
            return;
        }

        tracker.Enter();
        var sink = new TelegramReplySink(mapped, delivery, journal, tracker, Redelivery, time, logger);
        EnqueueResult result;
        try
        {
            result = engine.Enqueue(mapped.Message, sink);
        }
        catch
        {
            tracker.Exit();
            throw;
        }

        switch (result)
        {
            case EnqueueResult.Accepted:
                break;
            case EnqueueResult.Busy when backlog:
                Log.EngineRefused(logger, mapped.UpdateId, "busy (backlog: kept pending)");
                tracker.Exit();
                Redelivery.Defer(mapped, RedeliveryReason.Busy);
                break;
            case EnqueueResult.Busy:
                Log.EngineRefused(logger, mapped.UpdateId, "busy");
                _ = Task.Run(() => ReplyBusyAsync(sink), CancellationToken.None);
                break;
            default:
                // Stopping: the update stays pending and is answered after the restart.
                Log.EngineRefused(logger, mapped.UpdateId, "stopping");
                tracker.Exit();
                break;
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
    /// Until stopped: hands due pending updates to the engine again, and gives up on those that waited too long
    /// (recorded as done, so neither this process nor a restart tries them again).
    /// </summary>
    public async Task RunRedeliveryAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RedeliveryTick, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            (List<MappedMessage> due, List<MappedMessage> expired) = Redelivery.TakeDue();
            foreach (MappedMessage mapped in expired)
            {
                Log.RedeliveryAbandoned(logger, mapped.UpdateId, mapped.ChatId, RedeliveryQueue.GiveUpAfter);
                try
                {
                    await journal.MarkAnsweredAsync(mapped.UpdateId, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Still pending in the store: the next start tries it once more.
                    Log.RedeliveryFailed(logger, ex);
                }
            }

            foreach (MappedMessage mapped in due)
            {
                try
                {
                    Enqueue(mapped, backlog: true);
                }
                catch (Exception ex)
                {
                    // An engine failure here is a bug; the update stays pending for the next start, the loop goes on.
                    Log.RedeliveryFailed(logger, ex);
                }
            }
        }
    }

    private static async Task ReplyBusyAsync(TelegramReplySink sink)
    {
        await sink.SendAsync(new OutgoingReply("I'm still working on earlier messages here. Please send this again in a moment.", ReplyKind.Notice), CancellationToken.None);
        await sink.WorkFinishedAsync(CancellationToken.None);
    }
}
