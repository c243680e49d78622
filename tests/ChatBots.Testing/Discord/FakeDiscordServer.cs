using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBots.Testing.Discord;

/// <summary>
/// A fake Discord on loopback: <c>GET /api/v10/gateway/bot</c>, a WebSocket gateway at <c>/gateway</c> and a distinct
/// resume endpoint at <c>/resume</c> (given as <c>resume_gateway_url</c> in READY), the REST routes the adapter uses,
/// and a CDN route serving fixture bytes. Everything received is recorded; failures (429, 401, 5xx, close codes,
/// silence) are scriptable.
/// </summary>
public sealed partial class FakeDiscordServer : IAsyncDisposable
{
    public const string BotUserId = "900000000000000001";
    public const string ApplicationId = "900000000000000002";
    public const string BotToken = "fake-bot-token";

    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static long s_nextId = 1_100_000_000_000_000_000;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeGatewayConnection> _connections = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<ScriptedResponse> _scripted = [];
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string ContentType)> _cdn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonNode> _messages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _createdByNonce = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Tcs)> _requestWaiters = [];
    private readonly List<(int Index, TaskCompletionSource<FakeGatewayConnection> Tcs)> _connectionWaiters = [];
    private readonly List<(long Seq, string Frame)> _eventLog = [];
    private int _sessionCounter;
    private int _gatewayLookups;
    private long _seq;

    private FakeDiscordServer(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>For <c>Discord:ApiBaseUrl</c> (the client appends <c>/v10</c>).</summary>
    public string ApiBaseUrl => BaseUrl + "/api";

    public string GatewayUrl => BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/gateway";

    public string ResumeUrl => BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/resume";

    /// <summary>Sent in Hello to every new connection.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Default for new connections: answer heartbeats with op 11.</summary>
    public bool AckHeartbeats { get; set; } = true;

    /// <summary><c>session_start_limit.remaining</c> in <c>/gateway/bot</c>.</summary>
    public int SessionStartRemaining { get; set; } = 1000;

    /// <summary><c>session_start_limit.reset_after</c> (ms).</summary>
    public long SessionStartResetAfterMs { get; set; } = 1000;

    /// <summary>When set, an Identify is answered by closing with this code (4004, 4014, …) instead of READY.</summary>
    public int? CloseOnIdentify { get; set; }

    /// <summary>On resume, also replay this many events the client already received (a redelivery the client must ignore).</summary>
    public int ResumeReplayOverlap { get; set; }

    /// <summary>The <c>url</c> of the n-th (0-based) <c>GET /gateway/bot</c> answer; null or unset = <see cref="GatewayUrl"/>.</summary>
    public Func<int, string?>? GatewayUrlForLookup { get; set; }

    /// <summary><c>resume_gateway_url</c> in READY; null = <see cref="ResumeUrl"/>.</summary>
    public string? ReadyResumeGatewayUrl { get; set; }

    /// <summary>The Hello frame a connection gets (a malformed one, say); null or unset = a normal Hello.</summary>
    public Func<FakeGatewayConnection, string?>? HelloFrame { get; set; }

    /// <summary>The <c>d</c> of the READY a connection gets; null or unset = a normal READY.</summary>
    public Func<FakeGatewayConnection, JsonNode?>? ReadyData { get; set; }

    /// <summary>When set, every connection is closed with this code right after its READY or RESUMED.</summary>
    public int? CloseAfterReady { get; set; }

    /// <summary><c>flags</c> of the application (<c>GET /applications/@me</c>): the privileged intents the portal allows.</summary>
    public long ApplicationFlags { get; set; }

    /// <summary>The clock of recorded timestamps (requests, payloads); a test's fake clock makes them fake-time stamps.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The session of the last READY.</summary>
    public string? CurrentSessionId { get; private set; }

    /// <summary>The connection that last became ready (READY or RESUMED sent).</summary>
    public FakeGatewayConnection? ActiveConnection { get; private set; }

    public IReadOnlyList<FakeGatewayConnection> Connections => [.. _connections];

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeDiscordServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeDiscordServer(app);
        app.UseWebSockets();
        app.Map("/gateway", context => server.AcceptGatewayAsync(context, isResume: false));
        app.Map("/resume", context => server.AcceptGatewayAsync(context, isResume: true));
        app.Map("/api/v10/{**path}", server.HandleRestAsync);
        app.MapGet("/cdn/{**path}", server.HandleCdnAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    public static string NewId() => Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);

    /// <summary>Waits for the connection with this index (0 = first).</summary>
    public Task<FakeGatewayConnection> WaitForConnectionAsync(int index, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<FakeGatewayConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            FakeGatewayConnection? existing = _connections.FirstOrDefault(c => c.Index == index);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _connectionWaiters.Add((index, tcs));
        }

        return tcs.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Waits for a recorded request matching the predicate (already received ones count).</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            RecordedRequest? existing = _requests.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _requestWaiters.Add((predicate, tcs));
        }

        return tcs.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Requests with this method whose whole path matches the regex (<c>channels/1/messages</c> does not match <c>channels/1/messages/2/threads</c>).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string pathPattern) =>
        [.. _requests.Where(r => r.Method == method && Regex.IsMatch(r.Path, "^(?:" + pathPattern + ")$"))];

    /// <summary>Serves a canned answer to the next <paramref name="times"/> requests matching method and path regex.</summary>
    public void ScriptResponse(string method, string pathPattern, int status, string body = "{}", IReadOnlyDictionary<string, string>? headers = null, int times = 1)
    {
        lock (_gate)
        {
            _scripted.Add(new ScriptedResponse(method, new Regex("^" + pathPattern + "$"), status, body, headers ?? new Dictionary<string, string>(), times));
        }
    }

    /// <summary>A 429 as Discord sends it, per route (with bucket headers) or global.</summary>
    public void ScriptRateLimit(string method, string pathPattern, double retryAfterSeconds, bool global, string bucket = "fake-bucket", int times = 1)
    {
        string retry = retryAfterSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>
        {
            ["Retry-After"] = Math.Ceiling(retryAfterSeconds).ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Scope"] = global ? "global" : "user",
        };
        if (global)
        {
            headers["X-RateLimit-Global"] = "true";
        }
        else
        {
            headers["X-RateLimit-Limit"] = "5";
            headers["X-RateLimit-Remaining"] = "0";
            headers["X-RateLimit-Reset-After"] = retry;
            headers["X-RateLimit-Bucket"] = bucket;
        }

        string body = $$"""{"message":"You are being rate limited.","retry_after":{{retry}},"global":{{(global ? "true" : "false")}}}""";
        ScriptResponse(method, pathPattern, 429, body, headers, times);
    }

    /// <summary>Serves bytes at <c>{BaseUrl}/cdn/{path}</c>; returns the URL (with fake signature parameters).</summary>
    public string AddCdnFile(string path, byte[] bytes, string contentType = "audio/ogg")
    {
        _cdn[path] = (bytes, contentType);
        return $"{BaseUrl}/cdn/{path}?ex=6a000000&is=69000000&hm=abcdef";
    }

    /// <summary>Makes <c>GET channels/{channel}/messages/{id}</c> return this message.</summary>
    public void AddMessage(JsonNode message) => _messages[message["id"]!.GetValue<string>()] = message.DeepClone();

    /// <summary>Sends a dispatch on the active connection (see <see cref="ActiveConnection"/>).</summary>
    public Task<long> SendDispatchAsync(string type, JsonNode data) =>
        SendDispatchAsync(ActiveConnection ?? throw new InvalidOperationException("No connection is ready."), type, data);

    /// <summary>Logs an event with the next sequence without sending it, as if it happened while the client was away; a resume replays it.</summary>
    public long AddMissedDispatch(string type, JsonNode data)
    {
        lock (_gate)
        {
            long seq = ++_seq;
            _eventLog.Add((seq, Frame(type, data, seq)));
            return seq;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (FakeGatewayConnection connection in _connections)
        {
            connection.Drop();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal async Task<long> SendDispatchAsync(FakeGatewayConnection connection, string type, JsonNode data)
    {
        string frame;
        long seq;
        lock (_gate)
        {
            seq = ++_seq;
            frame = Frame(type, data, seq);
            _eventLog.Add((seq, frame));
        }

        await connection.SendTextAsync(frame);
        return seq;
    }

    internal async Task OnPayloadAsync(FakeGatewayConnection connection, ReceivedPayload payload)
    {
        switch (payload.Op)
        {
            case 1:
                if (connection.AckHeartbeats)
                {
                    await connection.SendTextAsync("""{"op":11}""");
                }

                break;
            case 2:
                if (CloseOnIdentify is int code)
                {
                    await connection.CloseAsync(code, "scripted");
                    break;
                }

                string sessionId;
                lock (_gate)
                {
                    sessionId = $"session-{++_sessionCounter}";
                    CurrentSessionId = sessionId;
                    _seq = 0;
                    _eventLog.Clear();
                }

                connection.SessionId = sessionId;
                ActiveConnection = connection;
                await SendDispatchAsync(connection, "READY", ReadyData?.Invoke(connection) ?? new JsonObject
                {
                    ["v"] = 10,
                    ["user"] = new JsonObject { ["id"] = BotUserId, ["username"] = "chatbots", ["bot"] = true },
                    ["guilds"] = new JsonArray(),
                    ["session_id"] = sessionId,
                    ["resume_gateway_url"] = ReadyResumeGatewayUrl ?? ResumeUrl,
                    ["application"] = new JsonObject { ["id"] = ApplicationId, ["flags"] = ApplicationFlags },
                });
                if (CloseAfterReady is int afterReady)
                {
                    await connection.CloseAsync(afterReady, "scripted after READY");
                }

                break;
            case 6:
                string? resumeSession = payload.D?["session_id"]?.GetValue<string>();
                long resumeSeq = payload.D?["seq"]?.GetValue<long>() ?? 0;
                List<string> replay;
                lock (_gate)
                {
                    if (resumeSession != CurrentSessionId)
                    {
                        replay = [];
                        resumeSession = null;
                    }
                    else
                    {
                        replay = [.. _eventLog.Where(e => e.Seq > resumeSeq - ResumeReplayOverlap).Select(e => e.Frame)];
                    }
                }

                if (resumeSession is null)
                {
                    await connection.SendInvalidSessionAsync(false);
                    break;
                }

                connection.SessionId = resumeSession;
                foreach (string frame in replay)
                {
                    await connection.SendTextAsync(frame);
                }

                ActiveConnection = connection;
                await SendDispatchAsync(connection, "RESUMED", new JsonObject());
                if (CloseAfterReady is int afterResumed)
                {
                    await connection.CloseAsync(afterResumed, "scripted after RESUMED");
                }

                break;
            default:
                break;
        }
    }

    private static string Frame(string type, JsonNode data, long seq) =>
        new JsonObject { ["op"] = 0, ["t"] = type, ["s"] = seq, ["d"] = data.DeepClone() }.ToJsonString();

    private async Task AcceptGatewayAsync(HttpContext context, bool isResume)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        FakeGatewayConnection connection;
        List<TaskCompletionSource<FakeGatewayConnection>> done = [];
        lock (_gate)
        {
            connection = new FakeGatewayConnection(_connections.Count, isResume, context.Request.QueryString.Value ?? "", socket, this);
            _connections.Enqueue(connection);
            foreach ((int index, TaskCompletionSource<FakeGatewayConnection> tcs) in _connectionWaiters.Where(w => w.Index == connection.Index).ToList())
            {
                done.Add(tcs);
                _connectionWaiters.Remove((index, tcs));
            }
        }

        foreach (TaskCompletionSource<FakeGatewayConnection> tcs in done)
        {
            tcs.TrySetResult(connection);
        }

        await connection.RunAsync(context.RequestAborted);
    }

    private async Task HandleRestAsync(HttpContext context)
    {
        string path = (string?)context.Request.RouteValues["path"] ?? "";
        string method = context.Request.Method;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync();
        JsonNode? json = null;
        if (body.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                // Recorded raw.
            }
        }

        ScriptedResponse? scripted = null;
        lock (_gate)
        {
            scripted = _scripted.FirstOrDefault(s => s.Remaining > 0 && s.Method == method && s.Path.IsMatch(path));
            if (scripted is not null)
            {
                scripted.Remaining--;
            }
        }

        int status;
        string responseBody;
        if (scripted is not null)
        {
            status = scripted.Status;
            responseBody = scripted.Body;
            foreach ((string name, string value) in scripted.Headers)
            {
                context.Response.Headers[name] = value;
            }
        }
        else
        {
            (status, responseBody) = DefaultResponse(method, path, json, context.Request.Query["with_response"] == "true");
            context.Response.Headers["X-RateLimit-Limit"] = "5";
            context.Response.Headers["X-RateLimit-Remaining"] = "4";
            context.Response.Headers["X-RateLimit-Reset-After"] = "1";
            context.Response.Headers["X-RateLimit-Bucket"] = "default-" + BucketName().Replace(path, "_");
        }

        long arrived = Clock.GetTimestamp();
        context.Response.StatusCode = status;
        if (status != 204)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(responseBody);
        }

        // Recorded once the whole response is out: a test that saw the request can rely on the client having its answer
        // on the wire (a created message's id, say).
        await context.Response.CompleteAsync();
        Record(new RecordedRequest(method, path, context.Request.Headers.Authorization, context.Request.Headers.UserAgent, body, json, arrived, status)
        {
            ResponseBody = responseBody,
            Query = context.Request.QueryString.Value ?? "",
        });
    }

    private (int Status, string Body) DefaultResponse(string method, string path, JsonNode? json, bool withResponse)
    {
        string[] parts = path.Split('/');
        switch (method, parts)
        {
            case ("GET", ["gateway", "bot"]):
                int lookup = Interlocked.Increment(ref _gatewayLookups) - 1;
                return (200, new JsonObject
                {
                    ["url"] = GatewayUrlForLookup?.Invoke(lookup) ?? GatewayUrl,
                    ["shards"] = 1,
                    ["session_start_limit"] = new JsonObject
                    {
                        ["total"] = 1000,
                        ["remaining"] = SessionStartRemaining,
                        ["reset_after"] = SessionStartResetAfterMs,
                        ["max_concurrency"] = 1,
                    },
                }.ToJsonString());
            case ("GET", ["gateway"]):
                return (200, new JsonObject { ["url"] = GatewayUrl }.ToJsonString());
            case ("GET", ["applications", "@me"]):
                return (200, new JsonObject { ["id"] = ApplicationId, ["name"] = "ChatBots", ["flags"] = ApplicationFlags }.ToJsonString());
            case ("PUT", ["applications", _, "commands"]) or ("PUT", ["applications", _, "guilds", _, "commands"]):
                return (200, json?.ToJsonString() ?? "[]");
            case ("POST", ["channels", var channel, "messages"]):
                // enforce_nonce: the same nonce from the bot again returns the message it already created (Discord does so
                // for a few minutes; the fake for ever).
                if (json?["enforce_nonce"]?.GetValue<bool>() == true && json["nonce"]?.GetValue<string>() is { } nonce)
                {
                    return (200, _createdByNonce.GetOrAdd(channel + "/" + nonce, _ => MessageJson(NewId(), channel, json)));
                }

                return (200, MessageJson(NewId(), channel, json));
            case ("PATCH", ["channels", var channel, "messages", var id]):
                return (200, MessageJson(id, channel, json));
            case ("GET", ["channels", _, "messages", var id]):
                return _messages.TryGetValue(id, out JsonNode? stored) ? (200, stored.ToJsonString()) : (404, """{"message":"Unknown Message","code":10008}""");
            case ("POST", ["channels", _, "typing"]):
                return (204, "");
            case ("POST", ["channels", var channel, "messages", var id, "threads"]):
                return (201, new JsonObject { ["id"] = id, ["type"] = 11, ["parent_id"] = channel, ["name"] = json?["name"]?.DeepClone() }.ToJsonString());
            case ("POST", ["interactions", var interaction, _, "callback"]):
                if (!withResponse)
                {
                    return (204, "");
                }

                string created = MessageJson(NewId(), "0", json?["data"]);
                return (200, new JsonObject
                {
                    ["interaction"] = new JsonObject { ["id"] = interaction, ["type"] = 2, ["response_message_id"] = JsonNode.Parse(created)!["id"]!.DeepClone() },
                    ["resource"] = new JsonObject { ["type"] = json?["type"]?.DeepClone(), ["message"] = JsonNode.Parse(created) },
                }.ToJsonString());
            case ("PATCH", ["webhooks", _, _, "messages", "@original"]):
                return (200, MessageJson(NewId(), "0", json));
            case ("POST", ["webhooks", _, _]):
                return (200, MessageJson(NewId(), "0", json));
            default:
                return (404, """{"message":"404: Not Found","code":0}""");
        }
    }

    private static string MessageJson(string id, string channel, JsonNode? request) => new JsonObject
    {
        ["id"] = id,
        ["channel_id"] = channel,
        ["type"] = 0,
        ["content"] = request?["content"]?.DeepClone(),
        ["author"] = new JsonObject { ["id"] = BotUserId, ["username"] = "chatbots", ["bot"] = true },
    }.ToJsonString();

    private async Task HandleCdnAsync(HttpContext context)
    {
        string path = (string?)context.Request.RouteValues["path"] ?? "";
        int status = _cdn.TryGetValue(path, out (byte[] Bytes, string ContentType) file) ? 200 : 404;
        long arrived = Clock.GetTimestamp();
        context.Response.StatusCode = status;
        if (status == 200)
        {
            context.Response.ContentType = file.ContentType;
            context.Response.ContentLength = file.Bytes.Length;
            await context.Response.Body.WriteAsync(file.Bytes);
        }

        await context.Response.CompleteAsync();
        Record(new RecordedRequest("GET", "cdn/" + path, context.Request.Headers.Authorization, context.Request.Headers.UserAgent, "", null, arrived, status));
    }

    private void Record(RecordedRequest request)
    {
        List<TaskCompletionSource<RecordedRequest>> done = [];
        lock (_gate)
        {
            _requests.Enqueue(request);
            for (int i = _requestWaiters.Count - 1; i >= 0; i--)
            {
                if (_requestWaiters[i].Predicate(request))
                {
                    done.Add(_requestWaiters[i].Tcs);
                    _requestWaiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource<RecordedRequest> tcs in done)
        {
            tcs.TrySetResult(request);
        }
    }

    [GeneratedRegex("[0-9]{5,}")]
    private static partial Regex BucketName();
}
