using ChatBots.Discord.Api;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Text;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// Answers a slash command. Discord needs a response within 3 s: if the engine has not answered after
/// <c>deferAfter</c>, a deferred response (type 5, "thinking…") is sent and the answer later edits the original.
/// A quick answer goes out directly as type 4. Parts beyond the first become follow-up messages.
/// </summary>
/// <remarks>
/// The interaction token lasts 15 minutes. When Discord refuses it (401, an answer slower than that), the rest of the
/// answer is posted as ordinary messages in the channel, with nonces derived from the interaction id, so the user still
/// gets it; the bot token is not affected.
/// </remarks>
internal sealed partial class DiscordInteractionSink : IReplySink
{
    private const int DeferredChannelMessage = 5;
    private const int ChannelMessage = 4;

    private readonly DiscordRestClient _rest;
    private readonly string _applicationId;
    private readonly string _interactionId;
    private readonly string _token;
    private readonly string _channelId;
    private readonly ILogger _logger;
    private readonly SinkHooks _hooks;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _deferCts = new();
    private readonly Task _deferTask;
    private readonly Dictionary<ReplyKind, int> _parts = [];
    private bool _responded;
    private bool _deferred;
    private bool _originalWritten;
    private bool _expired;
    private bool _finalDelivered;

    public DiscordInteractionSink(
        DiscordRestClient rest,
        string applicationId,
        string interactionId,
        string token,
        string channelId,
        TimeSpan deferAfter,
        TimeProvider time,
        ILogger logger,
        SinkHooks? hooks = null)
    {
        _rest = rest;
        _applicationId = applicationId;
        _interactionId = interactionId;
        _token = token;
        _channelId = channelId;
        _logger = logger;
        _hooks = hooks ?? SinkHooks.None;
        _deferTask = DeferLaterAsync(deferAfter, time, _deferCts.Token);
    }

    /// <summary>Completes when the defer timer has fired or was cancelled (tests and shutdown).</summary>
    public Task DeferTask => _deferTask;

    public async ValueTask SendAsync(OutgoingReply reply, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> parts = MessageSplitter.Split(reply.Text, DiscordLimits.MessageLength);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (string part in parts)
            {
                int index = _parts.GetValueOrDefault(reply.Kind);
                _parts[reply.Kind] = index + 1;
                await SendPartAsync(part, ReplyNonce.For(_interactionId, reply.Kind, index), cancellationToken);
            }

            _finalDelivered |= SinkHooks.IsFinal(reply.Kind);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask WorkFinishedAsync(CancellationToken cancellationToken)
    {
        await _deferCts.CancelAsync();
        await _deferTask;
        _deferCts.Dispose();
        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                // The engine said nothing: Discord would show "The application did not respond". Not worth a channel
                // message when the token expired.
                if (!_expired && (!_responded || (_deferred && !_originalWritten)))
                {
                    await SendPartAsync("Done.", channelNonce: null, cancellationToken);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            if (_hooks.Finished is { } finished)
            {
                await finished(_finalDelivered);
            }
        }
    }

    /// <summary>One part through the interaction token, or in the channel once the token expired (when <paramref name="channelNonce"/> is set).</summary>
    private async Task SendPartAsync(string part, string? channelNonce, CancellationToken cancellationToken)
    {
        if (!_expired)
        {
            try
            {
                Posted(await RespondAsync(part, cancellationToken));
                return;
            }
            catch (DiscordInteractionExpiredException ex)
            {
                _expired = true;
                LogTokenExpired(_logger, ex, _interactionId, _channelId);
            }
        }

        if (channelNonce is not null)
        {
            // allowed_mentions parse [] like every create; not a reply: there is no message to reply to.
            DiscordMessage created = await _rest.CreateMessageAsync(_channelId, part, null, channelNonce, cancellationToken);
            Posted(created.Id);
        }
    }

    private async Task<string?> RespondAsync(string part, CancellationToken cancellationToken)
    {
        if (!_responded)
        {
            string? id = await _rest.CreateInteractionResponseAsync(_interactionId, _token, ChannelMessage, part, cancellationToken);
            _responded = true;
            _originalWritten = true;
            return id;
        }

        if (_deferred && !_originalWritten)
        {
            DiscordMessage edited = await _rest.EditOriginalInteractionResponseAsync(_applicationId, _token, part, cancellationToken);
            _originalWritten = true;
            return edited.Id;
        }

        return (await _rest.CreateFollowupMessageAsync(_applicationId, _token, part, cancellationToken)).Id;
    }

    /// <summary>Remembered so that a reply to the bot's answer counts as addressing it, as for channel answers.</summary>
    private void Posted(string? messageId)
    {
        if (messageId is { Length: > 0 })
        {
            _hooks.Sent?.Invoke(messageId);
            LogPosted(_logger, messageId, _interactionId);
        }
    }

    private async Task DeferLaterAsync(TimeSpan deferAfter, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(deferAfter, time, cancellationToken);

            // Once due, the deferral is not cancelled half-way: a defer Discord saw but we did not record would make
            // the answer a second (rejected) initial response.
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                if (!_responded)
                {
                    await _rest.CreateInteractionResponseAsync(_interactionId, _token, DeferredChannelMessage, null, CancellationToken.None);
                    _responded = true;
                    _deferred = true;
                    LogDeferred(_logger, _interactionId);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Answered in time.
        }
        catch (Exception ex) when (ex is DiscordHttpException or HttpRequestException)
        {
            LogDeferFailed(_logger, ex, _interactionId);
        }
    }

    [LoggerMessage(3201, LogLevel.Debug, "Deferred the response to interaction {InteractionId}")]
    private static partial void LogDeferred(ILogger logger, string interactionId);

    [LoggerMessage(3202, LogLevel.Warning, "Deferring interaction {InteractionId} failed")]
    private static partial void LogDeferFailed(ILogger logger, Exception exception, string interactionId);

    [LoggerMessage(3203, LogLevel.Warning, "The token of interaction {InteractionId} expired before the answer was complete; posting the rest in channel {ChannelId}")]
    private static partial void LogTokenExpired(ILogger logger, Exception exception, string interactionId, string channelId);

    [LoggerMessage(3204, LogLevel.Debug, "Posted message {MessageId} answering interaction {InteractionId}")]
    private static partial void LogPosted(ILogger logger, string messageId, string interactionId);
}
