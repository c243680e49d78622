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
internal sealed partial class DiscordInteractionSink : IReplySink
{
    private const int DeferredChannelMessage = 5;
    private const int ChannelMessage = 4;

    private readonly DiscordRestClient _rest;
    private readonly string _applicationId;
    private readonly string _interactionId;
    private readonly string _token;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _deferCts = new();
    private readonly Task _deferTask;
    private bool _responded;
    private bool _deferred;
    private bool _originalWritten;

    public DiscordInteractionSink(DiscordRestClient rest, string applicationId, string interactionId, string token, TimeSpan deferAfter, TimeProvider time, ILogger logger)
    {
        _rest = rest;
        _applicationId = applicationId;
        _interactionId = interactionId;
        _token = token;
        _logger = logger;
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
                await SendPartAsync(part, cancellationToken);
            }
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
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // The engine said nothing: Discord would show "The application did not respond".
            if (!_responded || (_deferred && !_originalWritten))
            {
                await SendPartAsync("Done.", cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendPartAsync(string part, CancellationToken cancellationToken)
    {
        if (!_responded)
        {
            await _rest.CreateInteractionResponseAsync(_interactionId, _token, ChannelMessage, part, cancellationToken);
            _responded = true;
            _originalWritten = true;
        }
        else if (_deferred && !_originalWritten)
        {
            await _rest.EditOriginalInteractionResponseAsync(_applicationId, _token, part, cancellationToken);
            _originalWritten = true;
        }
        else
        {
            await _rest.CreateFollowupMessageAsync(_applicationId, _token, part, cancellationToken);
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
}
