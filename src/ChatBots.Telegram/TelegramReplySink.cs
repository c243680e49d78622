using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>
/// Where the engine replies to one update: shows typing while it works, delivers replies in order, and when it is
/// done records the update as answered (or leaves it pending for replay when delivery failed or the adapter stopped).
/// </summary>
internal sealed class TelegramReplySink(
    MappedMessage target,
    TelegramDelivery delivery,
    UpdateJournal journal,
    InflightTracker tracker,
    TimeProvider time,
    ILogger logger) : IReplySink
{
    private static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _typingStop = new();
    private Task _typing = Task.CompletedTask;
    private bool _replay;
    private int _finished;

    public ValueTask WorkStartedAsync(CancellationToken cancellationToken)
    {
        if (_typing.IsCompleted && !tracker.IsClosed)
        {
            _typing = Task.Run(() => TypingLoopAsync(_typingStop.Token), CancellationToken.None);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        if (tracker.IsClosed)
        {
            // Stopped: whatever this update needed will be produced again after the restart.
            _replay = true;
            return;
        }

        if (reply.Kind != ReplyKind.Transcript)
        {
            // The answer is out: typing again afterwards would suggest more is coming. A transcript comes before the answer.
            await _typingStop.CancelAsync();
        }

        DeliveryResult result = await delivery.DeliverAsync(target, reply, cancellationToken);
        _replay |= result == DeliveryResult.Failed;
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
            if (_replay || tracker.IsClosed)
            {
                Log.LeftPending(logger, target.UpdateId);
            }
            else
            {
                await journal.MarkAnsweredAsync(target.UpdateId, CancellationToken.None);
            }
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
