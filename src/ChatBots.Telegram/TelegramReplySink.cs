using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>
/// Where the engine replies to one update: shows typing while it works, delivers replies in order (skipping parts an
/// earlier attempt at this update delivered), and when it is done records the update as answered, or leaves it pending
/// and schedules another attempt when something did not reach the user.
/// </summary>
internal sealed class TelegramReplySink(
    MappedMessage target,
    TelegramDelivery delivery,
    UpdateJournal journal,
    InflightTracker tracker,
    UpdateDispatcher dispatcher,
    TimeProvider time,
    ILogger logger) : IReplySink
{
    private static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _typingStop = new();
    private readonly DeliveredParts _parts = new(journal, target.UpdateId, logger);
    private Task _typing = Task.CompletedTask;
    private CancellationToken _engineToken;
    private int _replies;
    private bool _failed;
    private bool _skipped;
    private int _finished;

    public ValueTask WorkStartedAsync(CancellationToken cancellationToken)
    {
        _engineToken = cancellationToken;
        if (_typing.IsCompleted && !tracker.IsClosed)
        {
            _typing = Task.Run(() => TypingLoopAsync(_typingStop.Token), CancellationToken.None);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        _engineToken = cancellationToken;
        _replies++;
        if (tracker.IsClosed)
        {
            // Stopped: the update stays pending and is answered after the restart.
            _skipped = true;
            return;
        }

        if (_failed)
        {
            // An earlier reply did not get through: sending this one would put it before the missing part. The whole
            // update is delivered again later, from the part that failed.
            return;
        }

        if (reply.Kind is ReplyKind.Answer or ReplyKind.Error or ReplyKind.Command)
        {
            // The answer is out: typing again afterwards would suggest more is coming. Transcripts and notices
            // (truncation) come before the answer, so typing goes on through them.
            await _typingStop.CancelAsync();
        }

        try
        {
            await _parts.LoadAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // The store cannot say what the user already has: sending could repeat parts, so try again later.
            Log.ReplyFailed(logger, target.ChatId, ex);
            _failed = true;
            return;
        }

        DeliveryResult result = await delivery.DeliverAsync(target, reply, _parts, cancellationToken);
        _failed |= result == DeliveryResult.Failed;
    }

    public async ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1)
        {
            return;
        }

        try
        {
            await _typingStop.CancelAsync();
            await _typing;
            if (_parts.Skipped > 0)
            {
                Log.ResumedReply(logger, target.UpdateId, _parts.Skipped, _parts.Sent);
            }

            // Answered only when everything the engine said reached the user. No reply at all means the engine was cut
            // off (it always says something otherwise), and so does a cancelled token: both are answered again later.
            bool answered = _replies > 0 && !_failed && !_skipped && !_engineToken.IsCancellationRequested;
            if (answered)
            {
                try
                {
                    await journal.MarkAnsweredAsync(target.UpdateId, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // Still pending in the store: delivered again later, it finds every part already delivered.
                    Log.ReplyFailed(logger, target.ChatId, ex);
                    answered = false;
                }
            }

            if (!answered)
            {
                Log.LeftPending(logger, target.UpdateId);
            }

            // Stopping leaves it pending for the next start; a failure schedules another attempt while running.
            dispatcher.Finished(target, answered, stopping: tracker.IsClosed || _engineToken.IsCancellationRequested);
        }
        finally
        {
            _typingStop.Dispose();
            tracker.Exit();
        }
    }

    private async Task TypingLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await delivery.SendTypingAsync(target, cancellationToken);
            // Telegram shows typing for up to 5 s; repeat a little sooner while the model works.
            using var timer = new PeriodicTimer(TypingInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await delivery.SendTypingAsync(target, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Work finished.
        }
    }
}
