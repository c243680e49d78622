using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using ChatBots.Discord.Api;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Discord.Gateway;

/// <summary>
/// Our Discord gateway client (API v10, JSON text frames). One connection at a time: Hello, heartbeats with zombie
/// detection, Identify or Resume, sequence tracking, and the reconnect policy of the reference (resume when the session
/// survives, identify when it does not, stop on fatal close codes). The receive loop only parses, handles control
/// opcodes and enqueues dispatches to <see cref="Dispatches"/>; heartbeats run on their own task and never wait for
/// handlers.
/// </summary>
internal sealed partial class DiscordGatewayClient
{
    internal const int MessageContentIntent = 1 << 15;
    internal const int MaxPayloadBytes = 4096;
    internal const int ApiVersion = 10;

    /// <summary>Discord disconnects at 120 sends per 60 s; stay below it.</summary>
    private const int SendsPerMinute = 110;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A <c>GET /gateway/bot</c> answer is not trusted after the Identify guard held us this long: another instance or
    /// shard may have used session starts meanwhile (<c>session_start_limit.remaining</c>), and the URL may have moved.
    /// </summary>
    private static readonly TimeSpan GatewayInfoMaxAge = TimeSpan.FromMinutes(1);

    private readonly DiscordRestClient _rest;
    private readonly IKeyValueStore _store;
    private readonly TimeProvider _time;
    private readonly DiscordStatus _status;
    private readonly ILogger _logger;
    private readonly DiscordOptions _options;
    private readonly IdentifyGuard _identifyGuard;
    private readonly FatalCloseMemory _fatalMemory;
    private readonly GatewaySession _session = new();
    private readonly Channel<GatewayDispatch> _dispatches =
        Channel.CreateUnbounded<GatewayDispatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // The heartbeat loop and READY both persist; the gate keeps the "already persisted" pair consistent with the store.
    private readonly SemaphoreSlim _persistGate = new(1, 1);
    private readonly SemaphoreSlim _prepareGate = new(1, 1);
    private long? _persistedSeq;
    private string? _persistedSessionId;
    private volatile bool _prepared;
    private volatile string? _selfUserId;
    private volatile string? _applicationId;

    public DiscordGatewayClient(
        DiscordRestClient rest,
        IKeyValueStore store,
        TimeProvider time,
        DiscordStatus status,
        IOptions<DiscordOptions> options,
        ILogger<DiscordGatewayClient> logger)
    {
        _rest = rest;
        _store = store;
        _time = time;
        _status = status;
        _logger = logger;
        _options = options.Value;
        _identifyGuard = new IdentifyGuard(
            _options.MaxIdentifiesPerHour, _options.MinIdentifyInterval, store, $"discord:identifies:{_options.ShardId}", time, logger);
        _fatalMemory = new FatalCloseMemory(
            store, $"discord:fatal:{_options.ShardId}", FatalCloseMemory.Fingerprint(_options, ApiVersion), time, logger);
    }

    /// <summary>
    /// Dispatch events (op 0) in arrival order, replays already seen dropped. The reader calls <see cref="Finish"/> for
    /// each once it is done with it (for a message: answered, or not for the bot).
    /// </summary>
    public ChannelReader<GatewayDispatch> Dispatches => _dispatches.Reader;

    /// <summary>The bot's own user id, from READY.</summary>
    public string? SelfUserId => _selfUserId;

    /// <summary>The application id, from READY.</summary>
    public string? ApplicationId => _applicationId;

    private string SessionKey => $"discord:session:{_options.ShardId}";

    /// <summary>
    /// The handler is done with a tracked dispatch (a MESSAGE_CREATE): ignored, or answered and the answer delivered.
    /// Until then the sequence persisted for a restart stays below it, so a restart replays it instead of losing it.
    /// </summary>
    public void Finish(GatewayDispatch dispatch)
    {
        if (dispatch.Tracked && dispatch.Sequence is long seq)
        {
            _session.Finish(dispatch.Epoch, seq);
        }
    }

    /// <summary>
    /// Loads the persisted session and throws <see cref="DiscordFatalException"/> without contacting the gateway when
    /// Discord refused this very configuration for good in an earlier run (see <see cref="FatalCloseMemory"/>).
    /// Idempotent; <see cref="RunAsync"/> calls it too.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_prepared)
        {
            return;
        }

        await _prepareGate.WaitAsync(cancellationToken);
        try
        {
            if (_prepared)
            {
                return;
            }

            await ThrowIfRememberedFatalAsync(cancellationToken);
            await LoadSessionAsync(cancellationToken);
            _prepared = true;
        }
        finally
        {
            _prepareGate.Release();
        }
    }

    /// <summary>Connects and keeps the session alive until cancelled; throws <see cref="DiscordFatalException"/> when Discord refuses us for good.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if ((_options.Intents & MessageContentIntent) == 0)
            {
                LogNoMessageContentIntent(_logger, _options.Intents);
            }

            await PrepareAsync(cancellationToken);
            int failures = 0;
            TimeSpan delay = TimeSpan.Zero;
            while (true)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }

                (ConnectionOutcome outcome, bool healthy) = await RunConnectionAsync(cancellationToken);
                _status.MarkDisconnected();
                if (outcome.Action == ReconnectAction.Fatal)
                {
                    if (outcome.CloseCode is int code)
                    {
                        // So that a restarted host does not spend another Identify on a refusal nothing has changed about.
                        // After 4014 the portal switches (application flags) are what can change: keep them to compare.
                        long? flags = code == 4014
                            ? (await TryLookupAsync(_rest.GetCurrentApplicationAsync, ex => LogApplicationLookupFailed(_logger, ex), cancellationToken))?.Flags
                            : null;
                        await _fatalMemory.RememberAsync(code, flags, cancellationToken);
                    }

                    throw new DiscordFatalException(outcome.CloseCode, GatewayCloseCodes.DescribeFatal(outcome.CloseCode));
                }

                if (outcome.Action == ReconnectAction.Identify)
                {
                    _session.Clear();
                    await TryPersistAsync(cancellationToken);
                }

                failures = healthy ? 0 : failures + 1;
                delay = NextDelay(outcome, failures);
                ReconnectAction next = _session.HasSession ? ReconnectAction.Resume : ReconnectAction.Identify;
                LogReconnecting(_logger, outcome.Reason, next, delay.TotalMilliseconds);
            }
        }
        finally
        {
            _status.MarkDisconnected();
            _dispatches.Writer.TryComplete();
            // Keep the resume point so a restarted host resumes instead of identifying (and gets the unanswered messages
            // replayed). A store failure must not mask the original exception.
            await StoreCalls.TryStoreAsync(PersistSessionAsync, ex => LogPersistFailed(_logger, ex), CancellationToken.None);
        }
    }

    private TimeSpan NextDelay(ConnectionOutcome outcome, int failures)
    {
        if (outcome.InvalidSession)
        {
            // Op 9: wait 1-5 units before identifying.
            return _options.ReconnectDelay * (1 + (Random.Shared.NextDouble() * 4));
        }

        if (failures > 0)
        {
            return Backoff(failures);
        }

        // The connection was healthy. Even "reconnect now" (op 7, zombie, 4000) waits a little, jittered, so that a server
        // that keeps closing can never be hammered in a tight loop and many clients do not come back in step.
        return outcome.Immediate ? _options.ReconnectDelay * (0.25 + (Random.Shared.NextDouble() * 0.25)) : Backoff(1);
    }

    private TimeSpan Backoff(int failures)
    {
        double factor = Math.Pow(2, Math.Min(failures - 1, 16));
        TimeSpan capped = TimeSpan.FromTicks((long)Math.Min(_options.ReconnectDelay.Ticks * factor, _options.MaxReconnectDelay.Ticks));
        return capped * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    private async Task<(ConnectionOutcome Outcome, bool Healthy)> RunConnectionAsync(CancellationToken cancellationToken)
    {
        (string? sessionId, string? resumeUrl, _) = _session.Snapshot();
        bool resuming = sessionId is not null && resumeUrl is not null;
        Uri? uri;
        if (resuming)
        {
            if (!TryBuildGatewayUri(resumeUrl, out uri))
            {
                // Discord sent a resume URL we cannot use: resume on the gateway URL instead (as clients did before
                // resume_gateway_url existed) rather than giving up the session or stopping.
                LogBadResumeUrl(_logger);
                string? gatewayUrl = await TryGetGatewayUrlAsync(cancellationToken);
                if (gatewayUrl is null)
                {
                    return (new ConnectionOutcome(ReconnectAction.Resume, "GET /gateway/bot failed", Immediate: false), false);
                }

                if (!TryBuildGatewayUri(gatewayUrl, out uri))
                {
                    LogBadGatewayUrl(_logger);
                    return (new ConnectionOutcome(ReconnectAction.Resume, "unusable gateway URL", Immediate: false), false);
                }
            }
        }
        else
        {
            // A sequence left over from a connection that never got a session (a READY we failed to read) would make the
            // next READY look like a replay and be dropped.
            _session.Clear();
            GatewayBotInfo? info = await TryLookupAsync(GetGatewayForIdentifyAsync, ex => LogGatewayLookupFailed(_logger, ex), cancellationToken);
            if (info is null)
            {
                return (new ConnectionOutcome(ReconnectAction.Identify, "GET /gateway/bot failed", Immediate: false), false);
            }

            if (!TryBuildGatewayUri(info.Url, out uri))
            {
                LogBadGatewayUrl(_logger);
                return (new ConnectionOutcome(ReconnectAction.Identify, "unusable gateway URL", Immediate: false), false);
            }
        }

        using var socket = new ClientWebSocket();
        try
        {
            using var connectCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectCts.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(uri, connectCts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or ArgumentException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogConnectFailed(_logger, ex, uri.Host);
            return (new ConnectionOutcome(ReconnectAction.Resume, "connect failed", Immediate: false), false);
        }

        LogConnected(_logger, uri.Host, resuming);
        var connection = new GatewayConnection(socket, resuming, _time);
        return await RunSocketAsync(connection, cancellationToken);
    }

    /// <summary>
    /// <c>GET /gateway/bot</c> until a session start is available, then the Identify guard. Neither records an Identify:
    /// that happens when op 2 is actually sent.
    /// </summary>
    private async Task<GatewayBotInfo> GetGatewayForIdentifyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            GatewayBotInfo info = await _rest.GetGatewayBotAsync(cancellationToken);
            if (info.SessionStartLimit is { Remaining: <= 0 } limit)
            {
                // Identifying now would be refused, and at the daily limit Discord resets the token.
                TimeSpan wait = TimeSpan.FromMilliseconds(Math.Max(limit.ResetAfter, 1000));
                LogSessionStartLimit(_logger, limit.Total, wait.TotalSeconds);
                await Task.Delay(wait, _time, cancellationToken);
                continue;
            }

            TimeSpan held = await _identifyGuard.WaitAsync(cancellationToken);
            if (held < GatewayInfoMaxAge)
            {
                return info;
            }

            LogGatewayInfoStale(_logger, held.TotalSeconds);
        }
    }

    private async Task<string?> TryGetGatewayUrlAsync(CancellationToken cancellationToken) =>
        (await TryLookupAsync(_rest.GetGatewayBotAsync, ex => LogGatewayLookupFailed(_logger, ex), cancellationToken))?.Url;

    /// <summary>
    /// A REST lookup the gateway depends on (<c>GET /gateway/bot</c>, <c>GET /applications/@me</c>). A 401 means the bot
    /// token is wrong: a fatal fault naming <c>Discord:BotToken</c>. A transient failure (network, 5xx, a body we cannot
    /// read, a timeout) is reported to <paramref name="logFailure"/> and gives null, for the caller to try again later.
    /// </summary>
    private static async Task<T?> TryLookupAsync<T>(Func<CancellationToken, Task<T>> lookup, Action<Exception> logFailure, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await lookup(cancellationToken);
        }
        catch (DiscordUnauthorizedException ex)
        {
            throw new DiscordFatalException(null, ex.Message, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or DiscordHttpException or JsonException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logFailure(ex);
            return null;
        }
    }

    /// <summary>An absolute ws(s) URL with <c>?v=10&amp;encoding=json</c>; false for anything a WebSocket cannot open.</summary>
    private static bool TryBuildGatewayUri(string? url, [NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || (parsed.Scheme != "wss" && parsed.Scheme != "ws") || parsed.Host.Length == 0)
        {
            return false;
        }

        uri = new UriBuilder(parsed) { Query = $"v={ApiVersion}&encoding=json" }.Uri;
        return true;
    }

    private async Task ThrowIfRememberedFatalAsync(CancellationToken cancellationToken)
    {
        StoredFatalClose? fatal = await _fatalMemory.GetAsync(cancellationToken);
        if (fatal is null)
        {
            return;
        }

        // 4014 is fixed in the Developer Portal, not in our configuration: ask Discord (REST, no Identify spent) whether it
        // was. Flags that already looked allowed when Discord refused (an unverified bot in 100+ servers, say) prove
        // nothing: only a change is worth an Identify.
        if (fatal.Code == 4014)
        {
            long flags = await GetApplicationFlagsAsync(cancellationToken);
            if (PrivilegedIntents.AllowedByPortal(_options.Intents, flags) && flags != fatal.ApplicationFlags)
            {
                LogPrivilegedIntentsEnabled(_logger);
                await _fatalMemory.ForgetAsync(cancellationToken);
                return;
            }

            LogPortalUnchanged(_logger, flags);
        }

        LogRememberedFatal(_logger, fatal.Code, DateTimeOffset.FromUnixTimeMilliseconds(fatal.AtUnixMs));
        throw new DiscordFatalException(fatal.Code, GatewayCloseCodes.DescribeFatal(fatal.Code));
    }

    /// <summary>
    /// The application's flags, asked again with capped backoff on our clock until Discord answers: a passing network or
    /// server error must not leave the adapter stopped after the operator fixed the portal. A 401 is a token fault.
    /// </summary>
    private async Task<long> GetApplicationFlagsAsync(CancellationToken cancellationToken)
    {
        for (int failures = 1; ; failures++)
        {
            TimeSpan delay = Backoff(failures);
            ApplicationInfo? application = await TryLookupAsync(
                _rest.GetCurrentApplicationAsync,
                ex => LogApplicationLookupRetry(_logger, ex, delay.TotalMilliseconds),
                cancellationToken);
            if (application is not null)
            {
                return application.Flags;
            }

            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private async Task<(ConnectionOutcome Outcome, bool Healthy)> RunSocketAsync(GatewayConnection connection, CancellationToken cancellationToken)
    {
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task receive = ReceiveLoopAsync(connection, connectionCts.Token);
        ConnectionOutcome outcome;
        try
        {
            outcome = await connection.Outcome.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: 4000, not 1000, keeps the session resumable so a quick restart does not spend an Identify.
            await CloseAsync(connection.Socket, "shutting down");
            await connectionCts.CancelAsync();
            await connection.StopAsync(receive);
            throw;
        }

        bool healthy = connection.LivedHealthy();
        if (outcome.CloseOurselves)
        {
            await CloseAsync(connection.Socket, outcome.Reason);

            // Let the server answer the close before aborting: an abort right away can reset the connection while our
            // close frame is still unsent, and Discord would see a dropped socket instead of our 4000.
            await receive.WaitAsync(CloseTimeout, _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await connectionCts.CancelAsync();
        connection.Socket.Abort();
        await connection.StopAsync(receive);
        return (outcome, healthy);
    }

    private async Task CloseAsync(ClientWebSocket socket, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(CloseTimeout, _time);
            string description = reason.Length > 100 ? reason[..100] : reason;

            // Never 1000/1001: they invalidate the session and we want to resume.
            await socket.CloseOutputAsync((WebSocketCloseStatus)4000, description, cts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogCloseFailed(_logger, ex);
        }
    }

    private async Task ReceiveLoopAsync(GatewayConnection connection, CancellationToken cancellationToken)
    {
        ClientWebSocket socket = connection.Socket;
        byte[] buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        connection.SetOutcome(GatewayCloseCodes.Classify((int?)socket.CloseStatus, socket.CloseStatusDescription));
                        return;
                    }

                    message.Write(buffer.AsSpan(0, result.Count));
                }
                while (!result.EndOfMessage);

                GatewayPayload? payload;
                try
                {
                    payload = JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), DiscordJsonContext.Default.GatewayPayload);
                }
                catch (JsonException ex)
                {
                    LogBadPayload(_logger, ex);
                    continue;
                }

                if (payload is not null)
                {
                    await HandlePayloadAsync(connection, payload, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection is being torn down on purpose.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            LogConnectionLost(_logger, ex);
            connection.SetOutcome(GatewayCloseCodes.Classify(null, null));
        }
#pragma warning disable CA1031 // Anything else (a malformed Hello or READY, …) must still end the connection with an outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Without an outcome RunSocketAsync would wait forever: before Hello no heartbeat runs to notice a dead reader.
            LogReceiveFailed(_logger, ex);
            connection.SetOutcome(new ConnectionOutcome(ReconnectAction.Resume, "failed to handle a gateway payload", CloseOurselves: true, Immediate: false));
        }
    }

    private async Task HandlePayloadAsync(GatewayConnection connection, GatewayPayload payload, CancellationToken cancellationToken)
    {
        switch (payload.Op)
        {
            case 0:
                await HandleDispatchAsync(connection, payload, cancellationToken);
                break;
            case 1:
                // The server asks for a beat now.
                await SendHeartbeatAsync(connection, cancellationToken);
                break;
            case 7:
                connection.SetOutcome(new ConnectionOutcome(ReconnectAction.Resume, "server asked to reconnect (op 7)", CloseOurselves: true));
                break;
            case 9:
                bool resumable = payload.D is { ValueKind: JsonValueKind.True };
                connection.SetOutcome(resumable && _session.HasSession
                    ? new ConnectionOutcome(ReconnectAction.Resume, "invalid session, resumable (op 9)", CloseOurselves: true)
                    : new ConnectionOutcome(ReconnectAction.Identify, "invalid session (op 9)", CloseOurselves: true, InvalidSession: true));
                break;
            case 10:
                HelloData? hello = payload.D?.Deserialize(DiscordJsonContext.Default.HelloData);
                TimeSpan interval = TimeSpan.FromMilliseconds(hello?.HeartbeatInterval is > 0 ? hello.HeartbeatInterval : 41_250);
                connection.StartHeartbeat(interval, token => HeartbeatLoopAsync(connection, interval, token), cancellationToken);
                LogHello(_logger, interval.TotalMilliseconds);
                if (connection.Resuming)
                {
                    await SendResumeAsync(connection, cancellationToken);
                }
                else
                {
                    await SendIdentifyAsync(connection, cancellationToken);

                    // Counted only now that Discord has it: attempts that never got this far did not spend a session start.
                    await _identifyGuard.RecordAsync(cancellationToken);
                }

                break;
            case 11:
                connection.AckReceived = true;
                _status.MarkHeartbeatAck(_time.GetUtcNow());
                break;
            default:
                LogUnknownOpcode(_logger, payload.Op);
                break;
        }
    }

    private async Task HandleDispatchAsync(GatewayConnection connection, GatewayPayload payload, CancellationToken cancellationToken)
    {
        // Messages are tracked until the adapter is done with them, so a restart can have Discord replay unanswered ones.
        bool tracked = payload.T == "MESSAGE_CREATE";
        int epoch = 0;
        if (payload.S is long s && !_session.TryAdvance(s, tracked, out epoch))
        {
            LogDuplicateDispatch(_logger, payload.T, s);
            return;
        }

        switch (payload.T)
        {
            case "READY":
                ReadyData ready = payload.D?.Deserialize(DiscordJsonContext.Default.ReadyData)
                    ?? throw new JsonException("READY without data");
                _session.Start(ready.SessionId, ready.ResumeGatewayUrl);
                _selfUserId = ready.User?.Id;
                _applicationId = ready.Application?.Id;
                connection.MarkReady();
                _status.MarkConnected();
                LogReady(_logger, ready.User?.Id, ready.SessionId);
                await TryPersistAsync(cancellationToken);
                break;
            case "RESUMED":
                connection.MarkReady();
                _status.MarkConnected();
                LogResumed(_logger, _session.Seq);
                break;
            default:
                break;
        }

        if (payload.T is { } type && payload.D is JsonElement data)
        {
            _dispatches.Writer.TryWrite(new GatewayDispatch(type, data, payload.S, epoch, tracked && payload.S is not null));
        }
    }

    private async Task HeartbeatLoopAsync(GatewayConnection connection, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            // Jitter the first beat so many clients reconnecting at once do not beat in step.
            await Task.Delay(interval * Random.Shared.NextDouble(), _time, cancellationToken);
            using var timer = new PeriodicTimer(interval, _time);
            while (true)
            {
                if (!connection.AckReceived)
                {
                    LogZombie(_logger, interval.TotalMilliseconds);
                    connection.SetOutcome(new ConnectionOutcome(ReconnectAction.Resume, "no heartbeat ACK (zombie connection)", CloseOurselves: true));
                    return;
                }

                connection.AckReceived = false;
                await SendHeartbeatAsync(connection, cancellationToken);
                await TryPersistAsync(cancellationToken);
                if (!await timer.WaitForNextTickAsync(cancellationToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Connection replaced or closing.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            LogConnectionLost(_logger, ex);
            connection.SetOutcome(GatewayCloseCodes.Classify(null, null));
        }
#pragma warning disable CA1031 // A heartbeat loop that dies silently would leave a connection Discord soon drops as a zombie.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReceiveFailed(_logger, ex);
            connection.SetOutcome(new ConnectionOutcome(ReconnectAction.Resume, "heartbeat failed", CloseOurselves: true, Immediate: false));
        }
    }

    private Task SendHeartbeatAsync(GatewayConnection connection, CancellationToken cancellationToken) =>
        SendAsync(connection, JsonSerializer.SerializeToUtf8Bytes(new HeartbeatCommand(_session.Seq), DiscordJsonContext.Default.HeartbeatCommand), cancellationToken);

    private Task SendIdentifyAsync(GatewayConnection connection, CancellationToken cancellationToken)
    {
        string os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "linux";
        var identify = new IdentifyCommand(new IdentifyData(
            _options.NormalizedToken,
            _options.Intents,
            new IdentifyProperties(os, "chatbots", "chatbots"),
            _options.ShardCount > 1 ? [_options.ShardId, _options.ShardCount] : null));
        LogIdentifying(_logger, _options.Intents, _options.ShardId, _options.ShardCount);
        return SendAsync(connection, JsonSerializer.SerializeToUtf8Bytes(identify, DiscordJsonContext.Default.IdentifyCommand), cancellationToken);
    }

    private Task SendResumeAsync(GatewayConnection connection, CancellationToken cancellationToken)
    {
        (string? sessionId, _, long? seq) = _session.Snapshot();
        LogResuming(_logger, sessionId, seq);
        var resume = new ResumeCommand(new ResumeData(_options.NormalizedToken, sessionId ?? "", seq));
        return SendAsync(connection, JsonSerializer.SerializeToUtf8Bytes(resume, DiscordJsonContext.Default.ResumeCommand), cancellationToken);
    }

    private static async Task SendAsync(GatewayConnection connection, byte[] payload, CancellationToken cancellationToken)
    {
        // Discord closes with 4002 above 4096 bytes; our payloads are small, so this is a programming error.
        if (payload.Length > MaxPayloadBytes)
        {
            throw new InvalidOperationException($"Gateway payload of {payload.Length} bytes exceeds {MaxPayloadBytes}.");
        }

        await connection.SendLimiter.WaitAsync(cancellationToken);
        await connection.SendGate.WaitAsync(cancellationToken);
        try
        {
            await connection.Socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            connection.SendGate.Release();
        }
    }

    private async Task LoadSessionAsync(CancellationToken cancellationToken)
    {
        string? json = await _store.GetAsync(SessionKey, cancellationToken);
        if (json is null)
        {
            return;
        }

        try
        {
            StoredSession? stored = JsonSerializer.Deserialize(json, DiscordJsonContext.Default.StoredSession);
            if (stored is not null && stored.ShardId == _options.ShardId && stored.ShardCount == _options.ShardCount)
            {
                _session.Restore(stored.SessionId, stored.ResumeGatewayUrl, stored.Seq);
                _selfUserId ??= stored.SelfUserId;
                _applicationId ??= stored.ApplicationId;
                _persistedSessionId = stored.SessionId;
                _persistedSeq = stored.Seq;
                LogSessionRestored(_logger, stored.SessionId, stored.Seq);
            }
        }
        catch (JsonException ex)
        {
            LogPersistFailed(_logger, ex);
        }
    }

    /// <summary>Persisting is an optimisation (resume after restart); a store failure must not drop the connection.</summary>
    private Task TryPersistAsync(CancellationToken cancellationToken) =>
        StoreCalls.TryStoreAsync(PersistSessionAsync, ex => LogPersistFailed(_logger, ex), cancellationToken);

    private async Task PersistSessionAsync(CancellationToken cancellationToken)
    {
        // One writer at a time: otherwise an older snapshot could be written after a newer one and then be taken as persisted.
        await _persistGate.WaitAsync(cancellationToken);
        try
        {
            (string? sessionId, string? resumeUrl, long? seq) = _session.ResumePoint();
            if (sessionId == _persistedSessionId && seq == _persistedSeq)
            {
                return;
            }

            if (sessionId is null || resumeUrl is null)
            {
                await _store.DeleteAsync(SessionKey, cancellationToken);
            }
            else
            {
                var stored = new StoredSession(sessionId, resumeUrl, seq, _options.ShardId, _options.ShardCount, _selfUserId, _applicationId);
                await _store.SetAsync(SessionKey, JsonSerializer.Serialize(stored, DiscordJsonContext.Default.StoredSession), cancellationToken);
            }

            _persistedSessionId = sessionId;
            _persistedSeq = seq;
        }
        finally
        {
            _persistGate.Release();
        }
    }

    [LoggerMessage(1001, LogLevel.Warning, "Discord:Intents ({Intents}) lacks MESSAGE_CONTENT (32768): guild messages that do not mention the bot arrive with empty content, so answer-all channels and replies without a mention will not work")]
    private static partial void LogNoMessageContentIntent(ILogger logger, int intents);

    [LoggerMessage(1002, LogLevel.Information, "Discord gateway connection ended ({Reason}); next: {Action} in {DelayMs} ms")]
    private static partial void LogReconnecting(ILogger logger, string reason, ReconnectAction action, double delayMs);

    [LoggerMessage(1003, LogLevel.Warning, "GET /gateway/bot failed")]
    private static partial void LogGatewayLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "Connecting to the Discord gateway at {Host} failed")]
    private static partial void LogConnectFailed(ILogger logger, Exception exception, string host);

    [LoggerMessage(1005, LogLevel.Debug, "Connected to the Discord gateway at {Host} (resuming: {Resuming})")]
    private static partial void LogConnected(ILogger logger, string host, bool resuming);

    [LoggerMessage(1006, LogLevel.Warning, "Discord session start limit exhausted ({Total} per day): waiting {WaitSeconds} s before identifying")]
    private static partial void LogSessionStartLimit(ILogger logger, int total, double waitSeconds);

    [LoggerMessage(1007, LogLevel.Debug, "Closing the Discord gateway connection failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "Discord sent a payload that is not valid JSON; skipped")]
    private static partial void LogBadPayload(ILogger logger, Exception exception);

    [LoggerMessage(1009, LogLevel.Information, "Discord gateway connection lost")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception);

    [LoggerMessage(1010, LogLevel.Debug, "Discord Hello: heartbeat every {IntervalMs} ms")]
    private static partial void LogHello(ILogger logger, double intervalMs);

    [LoggerMessage(1011, LogLevel.Debug, "Discord sent unknown opcode {Op}")]
    private static partial void LogUnknownOpcode(ILogger logger, int op);

    [LoggerMessage(1012, LogLevel.Debug, "Dropped replayed Discord dispatch {Type} with sequence {Sequence}")]
    private static partial void LogDuplicateDispatch(ILogger logger, string? type, long sequence);

    [LoggerMessage(1013, LogLevel.Information, "Discord READY as user {UserId}, session {SessionId}")]
    private static partial void LogReady(ILogger logger, string? userId, string sessionId);

    [LoggerMessage(1014, LogLevel.Information, "Discord session resumed at sequence {Sequence}")]
    private static partial void LogResumed(ILogger logger, long? sequence);

    [LoggerMessage(1015, LogLevel.Warning, "No Discord heartbeat ACK within {IntervalMs} ms: closing the zombie connection and resuming")]
    private static partial void LogZombie(ILogger logger, double intervalMs);

    [LoggerMessage(1016, LogLevel.Information, "Identifying to Discord with intents {Intents} (shard {ShardId}/{ShardCount})")]
    private static partial void LogIdentifying(ILogger logger, int intents, int shardId, int shardCount);

    [LoggerMessage(1017, LogLevel.Information, "Resuming Discord session {SessionId} at sequence {Sequence}")]
    private static partial void LogResuming(ILogger logger, string? sessionId, long? sequence);

    [LoggerMessage(1018, LogLevel.Warning, "Saving or loading the Discord session failed; a restart will identify instead of resuming")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception);

    [LoggerMessage(1019, LogLevel.Information, "Restored Discord session {SessionId} at sequence {Sequence}; will try to resume")]
    private static partial void LogSessionRestored(ILogger logger, string sessionId, long? sequence);

    [LoggerMessage(1020, LogLevel.Error, "Handling a Discord gateway payload failed; reconnecting")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(1021, LogLevel.Warning, "Discord's resume_gateway_url is not a usable ws(s) URL; resuming on the gateway URL from GET /gateway/bot instead")]
    private static partial void LogBadResumeUrl(ILogger logger);

    [LoggerMessage(1022, LogLevel.Warning, "GET /gateway/bot returned a gateway URL that is not a usable ws(s) URL; retrying later")]
    private static partial void LogBadGatewayUrl(ILogger logger);

    [LoggerMessage(1023, LogLevel.Information, "The Identify guard held this Identify for {HeldSeconds} s; asking GET /gateway/bot again for a fresh session start limit")]
    private static partial void LogGatewayInfoStale(ILogger logger, double heldSeconds);

    [LoggerMessage(1024, LogLevel.Warning, "Discord refused this token, intents and shard settings with close {Code} at {At:u}: not connecting, since every refused attempt spends one of the 1,000 daily Identifies. Change Discord:BotToken, Discord:Intents, Discord:ShardId or Discord:ShardCount to try again (after 4014, enabling the intent in the Developer Portal is enough)")]
    private static partial void LogRememberedFatal(ILogger logger, int code, DateTimeOffset at);

    [LoggerMessage(1025, LogLevel.Information, "The Developer Portal now allows the privileged intents Discord refused earlier (close 4014); connecting again")]
    private static partial void LogPrivilegedIntentsEnabled(ILogger logger);

    [LoggerMessage(1026, LogLevel.Warning, "GET /applications/@me failed; the application flags of the refused privileged intents (close 4014) are not remembered")]
    private static partial void LogApplicationLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(1027, LogLevel.Warning, "GET /applications/@me failed; cannot tell yet whether the refused privileged intents were enabled. Asking again in {DelayMs} ms")]
    private static partial void LogApplicationLookupRetry(ILogger logger, Exception exception, double delayMs);

    [LoggerMessage(1028, LogLevel.Information, "The application flags ({Flags}) do not allow the privileged intents Discord refused (close 4014), or are the same as when it refused them; not connecting")]
    private static partial void LogPortalUnchanged(ILogger logger, long flags);
}
