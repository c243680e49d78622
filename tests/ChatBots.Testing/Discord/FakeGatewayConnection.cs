using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatBots.Testing.Discord;

/// <summary>
/// One WebSocket connection to the fake gateway. Records every payload the client sends; tests script what the
/// server does next (dispatches, op 7, op 9, close codes, silence, a dropped socket).
/// </summary>
public sealed class FakeGatewayConnection
{
    private readonly WebSocket _socket;
    private readonly FakeDiscordServer _server;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentQueue<ReceivedPayload> _received = new();
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _waitersGate = new();
    private readonly List<(Func<ReceivedPayload, bool> Predicate, TaskCompletionSource<ReceivedPayload> Tcs)> _waiters = [];

    internal FakeGatewayConnection(int index, bool isResumeEndpoint, string query, WebSocket socket, FakeDiscordServer server)
    {
        Index = index;
        IsResumeEndpoint = isResumeEndpoint;
        Query = query;
        _socket = socket;
        _server = server;
        AckHeartbeats = server.AckHeartbeats;
    }

    /// <summary>0 for the first connection of the server, 1 for the next…</summary>
    public int Index { get; }

    /// <summary>True when the client connected to the resume URL (given in READY), not the gateway URL.</summary>
    public bool IsResumeEndpoint { get; }

    /// <summary>The query string the client connected with (<c>?v=10&amp;encoding=json</c>).</summary>
    public string Query { get; }

    /// <summary>Answer heartbeats with op 11; set false to make the connection look dead to the client.</summary>
    public bool AckHeartbeats { get; set; }

    public IReadOnlyList<ReceivedPayload> Received => [.. _received];

    public int HeartbeatCount => _received.Count(p => p.Op == 1);

    /// <summary>Completes when the client closed (its close code) or the socket died (null).</summary>
    public Task<int?> Closed => _closed.Task;

    /// <summary>The session this connection identified or resumed, once it did.</summary>
    public string? SessionId { get; internal set; }

    public Task<ReceivedPayload> WaitForPayloadAsync(Func<ReceivedPayload, bool> predicate, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<ReceivedPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersGate)
        {
            ReceivedPayload? existing = _received.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((predicate, tcs));
        }

        return tcs.Task.WaitAsync(timeout ?? FakeDiscordServer.DefaultTimeout);
    }

    public Task<ReceivedPayload> WaitForOpAsync(int op, TimeSpan? timeout = null) => WaitForPayloadAsync(p => p.Op == op, timeout);

    public Task SendJsonAsync(JsonNode payload) => SendTextAsync(payload.ToJsonString());

    public Task SendReconnectAsync() => SendJsonAsync(new JsonObject { ["op"] = 7, ["d"] = null });

    public Task SendInvalidSessionAsync(bool resumable) => SendJsonAsync(new JsonObject { ["op"] = 9, ["d"] = resumable });

    public Task SendHeartbeatRequestAsync() => SendJsonAsync(new JsonObject { ["op"] = 1, ["d"] = null });

    /// <summary>Sends a dispatch with the session's next sequence number and logs it for replay on resume.</summary>
    public Task<long> SendDispatchAsync(string type, JsonNode data) => _server.SendDispatchAsync(this, type, data);

    public async Task CloseAsync(int code, string reason = "")
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client may already be gone.
        }
    }

    /// <summary>Kills the TCP connection without a close frame (the client sees 1006).</summary>
    public void Drop() => _socket.Abort();

    internal async Task SendTextAsync(string text)
    {
        await _sendGate.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            // Socket closed under us.
        }
        finally
        {
            _sendGate.Release();
        }
    }

    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        await SendTextAsync(_server.HelloFrame?.Invoke(this) ?? new JsonObject
        {
            ["op"] = 10,
            ["d"] = new JsonObject { ["heartbeat_interval"] = (int)_server.HeartbeatInterval.TotalMilliseconds },
        }.ToJsonString());
        byte[] buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                message.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult((int?)result.CloseStatus);
                        return;
                    }

                    message.Write(buffer.AsSpan(0, result.Count));
                }
                while (!result.EndOfMessage);

                string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                JsonNode? node = JsonNode.Parse(text);
                var payload = new ReceivedPayload(node?["op"]?.GetValue<int>() ?? -1, node?["d"], text, _server.Clock.GetTimestamp());
                Record(payload);
                await _server.OnPayloadAsync(this, payload);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _closed.TrySetResult(null);
            await message.DisposeAsync();
        }
    }

    private void Record(ReceivedPayload payload)
    {
        List<TaskCompletionSource<ReceivedPayload>> done = [];
        lock (_waitersGate)
        {
            _received.Enqueue(payload);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(payload))
                {
                    done.Add(_waiters[i].Tcs);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource<ReceivedPayload> tcs in done)
        {
            tcs.TrySetResult(payload);
        }
    }
}
