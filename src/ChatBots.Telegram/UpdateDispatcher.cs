using System.Text.Json;
using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace ChatBots.Telegram;

/// <summary>
/// Takes updates from either receiver: skips answered ones, persists the accepted ones as pending (before the offset
/// moves on), and hands them to the engine's lanes without waiting for any model.
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

    /// <summary>Hands an accepted update to the engine; never waits for the model.</summary>
    public void Enqueue(MappedMessage mapped)
    {
        Log.UpdateAccepted(logger, mapped.UpdateId, mapped.Message.Conversation.ToString());
        Log.MessageText(logger, mapped.UpdateId, mapped.Message.Text);
        tracker.Enter();
        var sink = new TelegramReplySink(mapped, delivery, journal, tracker, time, logger);
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

                Enqueue(mapped);
            }
            catch (JsonException ex)
            {
                Log.ReplayFailed(logger, ex);
                await journal.DeletePendingAsync(updateId, cancellationToken);
            }
        }
    }

    private static async Task ReplyBusyAsync(TelegramReplySink sink)
    {
        await sink.SendAsync(new OutgoingReply("I'm still working on earlier messages here. Please send this again in a moment.", ReplyKind.Notice), CancellationToken.None);
        await sink.WorkFinishedAsync(CancellationToken.None);
    }
}
