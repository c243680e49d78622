using ChatBots.Discord.Api;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Text;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// Delivers the engine's replies to a channel: typing every 8 s while the model works (Discord shows it for 10 s),
/// long answers split at 2000 characters and sent in order, the first part as a reply to the trigger. Each part's nonce
/// is derived from <paramref name="triggerId"/>, its kind and its index (<see cref="ReplyNonce"/>), so a re-send of the
/// same part is dropped by Discord. The ids of the messages it posts and the end of the work go to <paramref name="hooks"/>.
/// </summary>
/// <param name="rest">The REST client.</param>
/// <param name="channelId">Where the replies go.</param>
/// <param name="triggerId">The message being answered (names the nonces).</param>
/// <param name="replyToMessageId">The message the first part replies to; null for none (the first message in a new thread).</param>
/// <param name="time">The clock of the typing loop.</param>
/// <param name="logger">The adapter's logger.</param>
/// <param name="hooks">Posted ids and the end of the work.</param>
internal sealed partial class DiscordMessageSink(
    DiscordRestClient rest,
    string channelId,
    string triggerId,
    string? replyToMessageId,
    TimeProvider time,
    ILogger logger,
    SinkHooks? hooks = null) : IReplySink
{
    internal static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(8);

    private readonly Lock _gate = new();
    private readonly Dictionary<ReplyKind, int> _parts = [];
    private readonly SinkHooks _hooks = hooks ?? SinkHooks.None;
    private CancellationTokenSource? _typingCts;
    private Task _typing = Task.CompletedTask;
    private bool _replied;
    private bool _finalDelivered;
    private int _finished;

    public ValueTask WorkStartedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_typingCts is null)
            {
                _typingCts = new CancellationTokenSource();
                _typing = TypingLoopAsync(_typingCts.Token);
            }
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        // Transcripts and notices (truncation) come before the answer: keep typing for it; a final reply ends the wait.
        if (reply.Kind is ReplyKind.Answer or ReplyKind.Error or ReplyKind.Command)
        {
            await StopTypingAsync();
        }

        LogReplyText(logger, channelId, reply.Text);
        foreach (string part in MessageSplitter.Split(reply.Text, DiscordLimits.MessageLength))
        {
            string? replyTo;
            string nonce;
            lock (_gate)
            {
                replyTo = _replied ? null : replyToMessageId;
                _replied = true;
                int index = _parts.GetValueOrDefault(reply.Kind);
                _parts[reply.Kind] = index + 1;
                nonce = ReplyNonce.For(triggerId, reply.Kind, index);
            }

            DiscordMessage created = await rest.CreateMessageAsync(channelId, part, replyTo, nonce, cancellationToken);

            // Remembered so that a reply to it counts as addressing the bot even when Discord omits referenced_message.
            _hooks.Sent?.Invoke(created.Id);
            LogPosted(logger, created.Id, channelId, triggerId);
        }

        if (SinkHooks.IsFinal(reply.Kind))
        {
            lock (_gate)
            {
                _finalDelivered = true;
            }
        }
    }

    public async ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        await StopTypingAsync();
        if (Interlocked.Exchange(ref _finished, 1) == 0 && _hooks.Finished is { } finished)
        {
            bool delivered;
            lock (_gate)
            {
                delivered = _finalDelivered;
            }

            await finished(delivered);
        }
    }

    private async Task StopTypingAsync()
    {
        CancellationTokenSource? cts;
        Task typing;
        lock (_gate)
        {
            cts = _typingCts;
            typing = _typing;
        }

        if (cts is null || cts.IsCancellationRequested)
        {
            return;
        }

        await cts.CancelAsync();
        await typing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task TypingLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await rest.TriggerTypingAsync(channelId, cancellationToken);
                }
                catch (DiscordHttpException ex)
                {
                    // Typing is cosmetic; a refused indicator must not fail the reply.
                    LogTypingFailed(logger, ex, channelId);
                }

                await Task.Delay(TypingInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Work finished.
        }
        catch (HttpRequestException ex)
        {
            LogTypingFailed(logger, ex, channelId);
        }
    }

    [LoggerMessage(3101, LogLevel.Debug, "Typing indicator in {ChannelId} failed")]
    private static partial void LogTypingFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(3102, LogLevel.Trace, "Reply to {ChannelId}: {Text}")]
    private static partial void LogReplyText(ILogger logger, string channelId, string text);

    [LoggerMessage(3103, LogLevel.Debug, "Posted message {MessageId} in {ChannelId} answering {TriggerId}")]
    private static partial void LogPosted(ILogger logger, string messageId, string channelId, string triggerId);
}
