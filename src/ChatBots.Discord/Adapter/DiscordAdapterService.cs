using System.Collections.Concurrent;
using System.Text.Json;
using ChatBots.Discord.Api;
using ChatBots.Discord.Gateway;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// The Discord adapter: runs the gateway, turns addressed messages and slash commands into <see cref="IncomingMessage"/>
/// for the engine, and answers through the REST client. A fatal Discord error stops only this service (logged as
/// Critical, surfaced in <see cref="DiscordStatus"/>); nothing escapes <see cref="ExecuteAsync"/>, so the rest of the host runs on.
/// </summary>
internal sealed partial class DiscordAdapterService(
    DiscordGatewayClient gateway,
    DiscordRestClient rest,
    IConversationEngine engine,
    IKeyValueStore store,
    TimeProvider time,
    DiscordStatus status,
    IOptions<DiscordOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DiscordAdapterService> logger) : BackgroundService
{
    internal const string ThreadKeyPrefix = "discord:thread:";
    private const int RecentCapacity = 4096;
    private const int SentCapacity = 4096;
    private const int KnownThreadsCapacity = 10_000;
    private const string BusyText = "I'm still answering earlier messages here; please try again in a moment.";
    private const string StoppingText = "I'm restarting; please try again in a minute.";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often old answered markers are dropped (also once at start).</summary>
    private static readonly TimeSpan MarkerPruneInterval = TimeSpan.FromHours(1);

    private readonly DiscordOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, byte> _botThreads = new(StringComparer.Ordinal);
    private readonly BoundedIdSet _knownThreads = new(KnownThreadsCapacity);
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly BoundedIdSet _recent = new(RecentCapacity);
    private readonly BoundedIdSet _sentMessages = new(SentCapacity);
    private readonly HashSet<string> _answerAll = new(options.Value.AnswerAllChannelIds, StringComparer.Ordinal);
    private readonly AnsweredMarkers _markers = new(store, time, logger);
    private int _guildMessagesSeen;
    private int _guildMessagesEmpty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task dispatchLoop = Task.CompletedTask;
        try
        {
            // First, before any request: a configuration Discord refused for good in an earlier run is not tried again.
            await gateway.PrepareAsync(stoppingToken);
            await LoadBotThreadsAsync(stoppingToken);
            Track(PruneMarkersAsync(stoppingToken));
            dispatchLoop = ProcessDispatchesAsync(stoppingToken);
            Track(RegisterCommandsAsync(stoppingToken));
            await RunGatewayAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        catch (DiscordFatalException ex)
        {
            // Logged first: whoever sees the fault (health check, a test) finds the Critical line that explains it.
            LogFatal(logger, ex.Message);
            status.MarkFaulted(ex.Message);
        }
#pragma warning disable CA1031 // An exception escaping ExecuteAsync would stop the whole host; Discord alone stops.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnexpected(logger, ex);
            status.MarkFaulted($"The Discord adapter stopped after an unexpected error: {ex.Message}");
        }
        finally
        {
            await dispatchLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(_pending.Keys).WaitAsync(DrainTimeout, time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Runs the gateway until it ends or any REST call gets a 401. After a 401 (token revoked or reset) the REST client
    /// refuses everything, so the adapter could not answer anyone while looking connected: stop the gateway and fault.
    /// </summary>
    private async Task RunGatewayAsync(CancellationToken stoppingToken)
    {
        using var gatewayCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task run = gateway.RunAsync(gatewayCts.Token);
        if (await Task.WhenAny(run, rest.Unauthorized) == run)
        {
            await run;
            return;
        }

        await gatewayCts.CancelAsync();
        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        throw new DiscordFatalException(null, DiscordUnauthorizedException.Explanation);
    }

    private async Task LoadBotThreadsAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (KeyValuePair<string, string> entry in await store.ListAsync(ThreadKeyPrefix, cancellationToken))
            {
                _botThreads.TryAdd(entry.Key[ThreadKeyPrefix.Length..], 0);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, ex);
        }
    }

    /// <summary>Keeps the answered markers bounded: at start, then every <see cref="MarkerPruneInterval"/>.</summary>
    private async Task PruneMarkersAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                int removed = await StoreCalls.TryStoreAsync(_markers.PruneAsync, 0, ex => LogPruneFailed(logger, ex), cancellationToken);
                if (removed > 0)
                {
                    LogMarkersPruned(logger, removed);
                }

                await Task.Delay(MarkerPruneInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task RegisterCommandsAsync(CancellationToken cancellationToken)
    {
        try
        {
            ApplicationInfo application = await rest.GetCurrentApplicationAsync(cancellationToken);
            List<ApplicationCommand> commands = [.. engine.Commands.Select(c => new ApplicationCommand(
                c.Name.ToLowerInvariant(),
                c.Description.Length <= 100 ? c.Description : c.Description[..100]))];
            if (_options.CommandGuildIds.Count == 0)
            {
                // Global commands can take up to an hour to appear; guild commands are instant.
                await rest.BulkOverwriteCommandsAsync(application.Id, null, commands, cancellationToken);
                LogCommandsRegistered(logger, commands.Count, "global");
            }
            else
            {
                foreach (string guildId in _options.CommandGuildIds)
                {
                    await rest.BulkOverwriteCommandsAsync(application.Id, guildId, commands, cancellationToken);
                    LogCommandsRegistered(logger, commands.Count, $"guild {guildId}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown during start.
        }
        catch (Exception ex) when (ex is DiscordHttpException or HttpRequestException or JsonException)
        {
            LogCommandsFailed(logger, ex);
        }
    }

    private async Task ProcessDispatchesAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (GatewayDispatch dispatch in gateway.Dispatches.ReadAllAsync(stoppingToken))
            {
                bool finishLater = false;
                try
                {
                    finishLater = await HandleDispatchAsync(dispatch, stoppingToken);
                }
#pragma warning disable CA1031 // One bad event must not stop the handling of the next.
                catch (Exception ex) when (!(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
#pragma warning restore CA1031
                {
                    LogDispatchFailed(logger, ex, dispatch.Type);
                }

                // A message handed to the engine is finished by its sink; everything else is done now. (Cut short by
                // shutdown, the dispatch is not finished: it stays below the resume point and is replayed after restart.)
                if (!finishLater)
                {
                    gateway.Finish(dispatch);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>True when the dispatch is finished later (by a sink), or deliberately left unfinished for a replay.</summary>
    private async Task<bool> HandleDispatchAsync(GatewayDispatch dispatch, CancellationToken stoppingToken)
    {
        switch (dispatch.Type)
        {
            case "MESSAGE_CREATE":
                DiscordMessage? message = dispatch.Data.Deserialize(DiscordJsonContext.Default.DiscordMessage);
                return message is not null && await HandleMessageAsync(message, dispatch, stoppingToken);
            case "INTERACTION_CREATE":
                Interaction? interaction = dispatch.Data.Deserialize(DiscordJsonContext.Default.Interaction);
                if (interaction is not null)
                {
                    await HandleInteractionAsync(interaction, stoppingToken);
                }

                return false;
            case "THREAD_CREATE":
                if (dispatch.Data.Deserialize(DiscordJsonContext.Default.DiscordChannel) is { Id.Length: > 0 } thread)
                {
                    _knownThreads.Add(thread.Id);
                }

                return false;
            case "GUILD_CREATE":
                foreach (DiscordChannel active in dispatch.Data.Deserialize(DiscordJsonContext.Default.GuildCreateData)?.Threads ?? [])
                {
                    _knownThreads.Add(active.Id);
                }

                return false;
            default:
                return false;
        }
    }

    private async Task<bool> HandleMessageAsync(DiscordMessage message, GatewayDispatch dispatch, CancellationToken stoppingToken)
    {
        string? selfId = gateway.SelfUserId;
        if (selfId is null)
        {
            return false;
        }

        DiscordMessageMapper.Addressing addressing =
            DiscordMessageMapper.Classify(message, selfId, _answerAll, _botThreads.ContainsKey, _sentMessages.Contains);
        NoteGuildContent(message, selfId);
        if (addressing == DiscordMessageMapper.Addressing.Ignored)
        {
            return false;
        }

        // A replayed or duplicated event must not be answered twice: in this process the recent ids tell, across a
        // crash (Discord replays what came after the last persisted sequence) the durable marker does.
        if (!Remember(message.Id))
        {
            LogDuplicateMessage(logger, message.Id);
            return false;
        }

        if (await _markers.IsAnsweredAsync(message.Id, stoppingToken))
        {
            LogAlreadyAnswered(logger, message.Id);
            return false;
        }

        string text = DiscordMessageMapper.StripMention(message.Content, selfId);
        if (text.Length == 0 && DiscordMessageMapper.FindAudio(message) is null)
        {
            LogEmptyMessage(logger, message.Id, message.ChannelId);
            return false;
        }

        if (_options.ThreadPerConversation
            && addressing == DiscordMessageMapper.Addressing.Mention
            && !_knownThreads.Contains(message.ChannelId)
            && !_botThreads.ContainsKey(message.ChannelId))
        {
            // A thread's id is its starter message's id: a redelivered mention (a replay after a restart) whose thread
            // already exists continues there, as the same conversation, instead of failing to open a second one.
            if (_botThreads.ContainsKey(message.Id))
            {
                Enqueue(message, dispatch, selfId, message.Id, addressing);
                return true;
            }

            Track(OpenThreadAndEnqueueAsync(message, dispatch, selfId, text, stoppingToken));
            return true;
        }

        Enqueue(message, dispatch, selfId, message.ChannelId, addressing);
        return true;
    }

    private async Task OpenThreadAndEnqueueAsync(DiscordMessage message, GatewayDispatch dispatch, string selfId, string text, CancellationToken cancellationToken)
    {
        string conversationChannel = message.ChannelId;
        try
        {
            string name = DiscordMessageMapper.ThreadName(text, message.Author?.GlobalName ?? message.Author?.Username ?? "you");
            DiscordChannel thread = await rest.StartThreadFromMessageAsync(message.ChannelId, message.Id, name, cancellationToken);
            conversationChannel = thread.Id;
            _botThreads.TryAdd(thread.Id, 0);
            _knownThreads.Add(thread.Id);
            LogThreadOpened(logger, thread.Id, message.ChannelId);

            // Without the record the bot still answers here now; after a restart only when mentioned.
            await StoreCalls.TryStoreAsync(ct => store.SetAsync(ThreadKeyPrefix + thread.Id, message.ChannelId, ct), ex => LogThreadNotSaved(logger, ex, thread.Id), cancellationToken);
        }
        catch (Exception ex) when (ex is DiscordHttpException or HttpRequestException)
        {
            // Not a text channel (already a thread, a forum, a DM) or no permission: answer in place.
            LogThreadFailed(logger, ex, message.ChannelId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown before the thread was opened: left unfinished, so the restarted host gets it replayed.
            return;
        }

        try
        {
            Enqueue(message, dispatch, selfId, conversationChannel, DiscordMessageMapper.Addressing.Mention);
        }
        catch
        {
            // Nothing will answer it: the resume point must not wait for it forever.
            gateway.Finish(dispatch);
            throw;
        }
    }

    private void Enqueue(DiscordMessage message, GatewayDispatch dispatch, string selfId, string conversationChannel, DiscordMessageMapper.Addressing addressing)
    {
        IncomingMessage incoming = DiscordMessageMapper.Map(
            message,
            selfId,
            conversationChannel,
            attachment => token => rest.DownloadAttachmentAsync(attachment, message.ChannelId, message.Id, token));
        var hooks = new SinkHooks(id => _sentMessages.Add(id), answered => FinishedAsync(message.Id, dispatch, answered));
        var sink = new DiscordMessageSink(rest, conversationChannel, message.Id, incoming.ReplyToMessageId, time, logger, hooks);
        LogIncoming(logger, message.Id, conversationChannel, message.Author?.Id, addressing, incoming.Audio is not null);
        LogIncomingText(logger, message.Id, incoming.Text);
        switch (engine.Enqueue(incoming, sink))
        {
            case EnqueueResult.Accepted:
                break;
            case EnqueueResult.Busy:
                Track(SendNoticeAsync(sink, BusyText));
                break;
            default:
                // Stopping: no notice and not finished, so the resume point persisted at shutdown stays below it and the
                // restarted host gets it replayed and answers it.
                LogKeptForReplay(logger, message.Id);
                break;
        }
    }

    /// <summary>
    /// The engine is done with a message or interaction. Unless shutdown cut it short before a final reply went out, it
    /// is marked answered (a replay is skipped) and its dispatch finished (the resume point may pass it).
    /// </summary>
    private async Task FinishedAsync(string id, GatewayDispatch? dispatch, bool answered)
    {
        // Only messages come back usefully: a replayed interaction is past its 3 s and cannot be answered, so it is marked.
        if (dispatch is not null && !answered && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Abandoned or cancelled by the engine's shutdown: left unfinished, so it is replayed after the restart.
            LogKeptForReplay(logger, id);
            return;
        }

        await _markers.MarkAsync(id, CancellationToken.None);
        if (dispatch is not null)
        {
            gateway.Finish(dispatch);
        }
    }

    private async Task HandleInteractionAsync(Interaction interaction, CancellationToken stoppingToken)
    {
        // Type 2 = APPLICATION_COMMAND; pings and components are not ours.
        if (interaction.Type != 2 || interaction.Data is null || interaction.ChannelId is null)
        {
            return;
        }

        DiscordUser? user = interaction.Member?.User ?? interaction.User;
        if (user is null || !Remember("interaction:" + interaction.Id))
        {
            return;
        }

        if (await _markers.IsAnsweredAsync(interaction.Id, stoppingToken))
        {
            LogAlreadyAnswered(logger, interaction.Id);
            return;
        }

        string applicationId = interaction.ApplicationId.Length > 0 ? interaction.ApplicationId : gateway.ApplicationId ?? "";
        var incoming = new IncomingMessage(
            new ConversationKey(Platform.Discord, interaction.ChannelId),
            user.Id,
            user.GlobalName ?? user.Username ?? user.Id,
            "/" + interaction.Data.Name)
        {
            MessageId = interaction.Id,
            IsGroup = interaction.GuildId is not null,
        };
        var hooks = new SinkHooks(id => _sentMessages.Add(id), answered => FinishedAsync(interaction.Id, dispatch: null, answered));
        var sink = new DiscordInteractionSink(rest, applicationId, interaction.Id, interaction.Token, interaction.ChannelId, _options.InteractionDeferAfter, time, logger, hooks);
        LogCommand(logger, interaction.Data.Name, interaction.ChannelId, user.Id);
        EnqueueResult result = engine.Enqueue(incoming, sink);
        if (result != EnqueueResult.Accepted)
        {
            // An interaction cannot wait for a restart (Discord wants a response within 3 s): say why now.
            Track(SendNoticeAsync(sink, result == EnqueueResult.Busy ? BusyText : StoppingText));
        }
    }

    private async Task SendNoticeAsync(IReplySink sink, string text)
    {
        try
        {
            await sink.SendAsync(new OutgoingReply(text, ReplyKind.Notice), CancellationToken.None);
        }
        catch (Exception ex) when (ex is DiscordHttpException or HttpRequestException)
        {
            LogNoticeFailed(logger, ex);
        }
        finally
        {
            // As the engine does: the sink hears that the work is over even when the notice failed.
            await sink.WorkFinishedAsync(CancellationToken.None);
        }
    }

    /// <summary>Without the Message Content intent (portal switch) guild messages arrive empty; say so once.</summary>
    private void NoteGuildContent(DiscordMessage message, string selfId)
    {
        if (message.GuildId is null || message.Author is null || message.Author.Id == selfId || message.Author.Bot == true || _guildMessagesSeen >= 20)
        {
            return;
        }

        _guildMessagesSeen++;
        if (string.IsNullOrEmpty(message.Content) && message.Attachments is not { Count: > 0 })
        {
            _guildMessagesEmpty++;
        }

        if (_guildMessagesSeen == 20 && _guildMessagesEmpty == 20)
        {
            LogAllGuildMessagesEmpty(logger);
        }
    }

    private bool Remember(string id) => _recent.Add(id);

    private void Track(Task task)
    {
        _pending.TryAdd(task, 0);
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    [LoggerMessage(3001, LogLevel.Critical, "Discord adapter stopped: {Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);

    [LoggerMessage(3002, LogLevel.Critical, "Discord adapter stopped after an unexpected error; the rest of the host keeps running")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "Registered {Count} Discord slash commands ({Scope})")]
    private static partial void LogCommandsRegistered(ILogger logger, int count, string scope);

    [LoggerMessage(3004, LogLevel.Warning, "Registering Discord slash commands failed; they may be missing or stale")]
    private static partial void LogCommandsFailed(ILogger logger, Exception exception);

    [LoggerMessage(3005, LogLevel.Error, "Handling Discord event {Type} failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, string type);

    [LoggerMessage(3006, LogLevel.Debug, "Discord message {MessageId} was already handled; skipped")]
    private static partial void LogDuplicateMessage(ILogger logger, string messageId);

    [LoggerMessage(3007, LogLevel.Debug, "Discord message {MessageId} in {ChannelId} has no text or audio after removing the mention; skipped")]
    private static partial void LogEmptyMessage(ILogger logger, string messageId, string channelId);

    [LoggerMessage(3008, LogLevel.Information, "Opened thread {ThreadId} from a message in {ChannelId}")]
    private static partial void LogThreadOpened(ILogger logger, string threadId, string channelId);

    [LoggerMessage(3009, LogLevel.Warning, "Opening a thread in {ChannelId} failed; answering in the channel")]
    private static partial void LogThreadFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(3010, LogLevel.Debug, "Discord message {MessageId} in {ChannelId} from {AuthorId} ({Addressing}, audio: {HasAudio})")]
    private static partial void LogIncoming(ILogger logger, string messageId, string channelId, string? authorId, DiscordMessageMapper.Addressing addressing, bool hasAudio);

    [LoggerMessage(3011, LogLevel.Trace, "Discord message {MessageId} text: {Text}")]
    private static partial void LogIncomingText(ILogger logger, string messageId, string text);

    [LoggerMessage(3012, LogLevel.Debug, "Discord slash command /{Command} in {ChannelId} from {UserId}")]
    private static partial void LogCommand(ILogger logger, string command, string channelId, string userId);

    [LoggerMessage(3013, LogLevel.Warning, "Sending a Discord notice failed")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception);

    [LoggerMessage(3014, LogLevel.Warning, "The last 20 Discord guild messages all arrived with empty content: enable the Message Content intent in the Developer Portal (Bot page) and keep 32768 in Discord:Intents")]
    private static partial void LogAllGuildMessagesEmpty(ILogger logger);

    [LoggerMessage(3015, LogLevel.Warning, "Loading the threads the bot opened failed; it will answer in them only when mentioned")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(3016, LogLevel.Debug, "Discord message or interaction {Id} was answered before (a replay after a restart); skipped")]
    private static partial void LogAlreadyAnswered(ILogger logger, string id);

    [LoggerMessage(3017, LogLevel.Information, "Discord message {Id} was not answered before shutdown; the resumed session replays it after the restart")]
    private static partial void LogKeptForReplay(ILogger logger, string id);

    [LoggerMessage(3018, LogLevel.Debug, "Dropped {Count} old Discord answered markers")]
    private static partial void LogMarkersPruned(ILogger logger, int count);

    [LoggerMessage(3019, LogLevel.Warning, "Dropping old Discord answered markers failed; trying again later")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(3020, LogLevel.Warning, "Saving thread {ThreadId} failed; after a restart the bot answers there only when mentioned")]
    private static partial void LogThreadNotSaved(ILogger logger, Exception exception, string threadId);
}
