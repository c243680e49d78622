using ChatBots.Discord.Api;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Text;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// Delivers the engine's replies to a channel: typing every 8 s while the model works (Discord shows it for 10 s),
/// long answers split at 2000 characters and sent in order, the first part as a reply to the trigger. The ids of the
/// messages it posts go to <c>sent</c>.
/// </summary>
internal sealed partial class DiscordMessageSink(
    DiscordRestClient rest,
    string channelId,
    string? replyToMessageId,
    TimeProvider time,
    ILogger logger,
    Action<string>? sent = null) : IReplySink
{
    internal static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(8);

    private readonly Lock _gate = new();
    private CancellationTokenSource? _typingCts;
    private Task _typing = Task.CompletedTask;
    private bool _replied;

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
            lock (_gate)
            {
                replyTo = _replied ? null : replyToMessageId;
                _replied = true;
            }

            DiscordMessage created = await rest.CreateMessageAsync(channelId, part, replyTo, cancellationToken);

            // Remembered so that a reply to it counts as addressing the bot even when Discord omits referenced_message.
            sent?.Invoke(created.Id);
        }
    }

    public async ValueTask WorkFinishedAsync(CancellationToken cancellationToken) => await StopTypingAsync();

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
}
