using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBots.Testing.OpenAI;

/// <summary>
/// A scriptable OpenAI-compatible server on loopback (Kestrel, 127.0.0.1, a free port) for the real SDK to talk to:
/// chat completions (whole and streamed as SSE), audio transcriptions and translations, OpenAI-shaped errors.
/// It records every request. It also serves requests sent to it as a forward HTTP proxy (absolute-form targets),
/// recording the target host, so a test can prove traffic went through a configured proxy.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentQueue<FakeChatReply> _chatScript = new();
    private readonly ConcurrentQueue<FakeAudioReply> _audioScript = new();
    private readonly List<RecordedChatRequest> _chatRequests = [];
    private readonly List<RecordedAudioRequest> _audioRequests = [];
    private readonly List<string?> _proxyAuthorizations = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    private FakeOpenAIServer(WebApplication app, TimeProvider timeProvider)
    {
        _app = app;
        _timeProvider = timeProvider;
    }

    /// <summary>The base URL for <c>OpenAI:BaseUrl</c>, e.g. <c>http://127.0.0.1:54321/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The server root (no <c>/v1</c>), e.g. for <c>OpenAI:Proxy</c>.</summary>
    public Uri RootUrl { get; private set; } = null!;

    /// <summary>Answers chat requests when the script queue is empty. Default: echoes the last user message with usage 10/5.</summary>
    public Func<RecordedChatRequest, FakeChatReply> DefaultChatResponder { get; set; } =
        request => FakeChatReply.WithText($"echo: {request.LastUserText}", new FakeUsage(10, 5));

    /// <summary>Answers audio requests when the script queue is empty. Default: "hello from audio".</summary>
    public Func<RecordedAudioRequest, FakeAudioReply> DefaultAudioResponder { get; set; } =
        _ => FakeAudioReply.WithText("hello from audio");

    /// <summary>
    /// When set (<c>user:password</c>), requests without a matching <c>Proxy-Authorization: Basic</c> header get
    /// 407 with a Basic challenge, as an authenticating proxy answers.
    /// </summary>
    public string? RequiredProxyCredentials { get; set; }

    public IReadOnlyList<RecordedChatRequest> ChatRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _chatRequests];
            }
        }
    }

    public IReadOnlyList<RecordedAudioRequest> AudioRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _audioRequests];
            }
        }
    }

    /// <summary>Proxy-Authorization headers received (in order), for proxy tests.</summary>
    public IReadOnlyList<string?> ProxyAuthorizations
    {
        get
        {
            lock (_gate)
            {
                return [.. _proxyAuthorizations];
            }
        }
    }

    public static async Task<FakeOpenAIServer> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        WebApplication app = builder.Build();
        var server = new FakeOpenAIServer(app, timeProvider ?? TimeProvider.System);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.RootUrl = new Uri(address.TrimEnd('/') + "/");
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Queues replies; each chat request takes the next one, then the default responder answers.</summary>
    public void EnqueueChatReplies(params FakeChatReply[] replies)
    {
        foreach (FakeChatReply reply in replies)
        {
            _chatScript.Enqueue(reply);
        }
    }

    public void EnqueueAudioReplies(params FakeAudioReply[] replies)
    {
        foreach (FakeAudioReply reply in replies)
        {
            _audioScript.Enqueue(reply);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> chat requests have arrived and returns them.</summary>
    public Task<IReadOnlyList<RecordedChatRequest>> WaitForChatRequestsAsync(int count, TimeSpan? timeout = null) =>
        WaitForAsync(() => _chatRequests, count, timeout);

    /// <summary>Waits until at least <paramref name="count"/> audio requests have arrived and returns them.</summary>
    public Task<IReadOnlyList<RecordedAudioRequest>> WaitForAudioRequestsAsync(int count, TimeSpan? timeout = null) =>
        WaitForAsync(() => _audioRequests, count, timeout);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IReadOnlyList<T>> WaitForAsync<T>(Func<List<T>> list, int count, TimeSpan? timeout)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(20);
        using var cts = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                List<T> items = list();
                if (items.Count >= count)
                {
                    return [.. items];
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The fake OpenAI server did not receive {count} request(s) within {limit}.");
            }
        }
    }

    private void Record(Action add)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            add();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string? proxyAuthorization = request.Headers["Proxy-Authorization"].FirstOrDefault();
        string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path;
        bool viaProxy = rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        if (viaProxy)
        {
            Record(() => _proxyAuthorizations.Add(proxyAuthorization));
        }

        if (viaProxy && RequiredProxyCredentials is { } credentials
            && proxyAuthorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)))
        {
            context.Response.StatusCode = StatusCodes.Status407ProxyAuthenticationRequired;
            context.Response.Headers["Proxy-Authenticate"] = "Basic realm=\"fake-proxy\"";
            return;
        }

        string path = request.Path.Value ?? "";
        if (HttpMethods.IsPost(request.Method) && path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            await HandleChatAsync(context, rawTarget);
        }
        else if (HttpMethods.IsPost(request.Method) && path.EndsWith("/audio/transcriptions", StringComparison.Ordinal))
        {
            await HandleAudioAsync(context, "transcriptions");
        }
        else if (HttpMethods.IsPost(request.Method) && path.EndsWith("/audio/translations", StringComparison.Ordinal))
        {
            await HandleAudioAsync(context, "translations");
        }
        else
        {
            await WriteErrorAsync(context, new FakeOpenAIError(404, $"Invalid URL ({request.Method} {path})", "invalid_request_error", null));
        }
    }

    private async Task HandleChatAsync(HttpContext context, string rawTarget)
    {
        CancellationToken aborted = context.RequestAborted;
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(aborted);
        }

        RecordedChatRequest recorded = ParseChatRequest(context.Request, body, rawTarget);
        Record(() => _chatRequests.Add(recorded));

        FakeChatReply reply = _chatScript.TryDequeue(out FakeChatReply? scripted) ? scripted : DefaultChatResponder(recorded);
        if (reply.Gate is { } gate)
        {
            await gate.WaitAsync(aborted);
        }

        if (reply.Error is { } error)
        {
            await WriteErrorAsync(context, error);
            return;
        }

        string id = $"chatcmpl-fake{Interlocked.Increment(ref _nextId)}";
        string model = reply.Model ?? recorded.Model;
        long created = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (recorded.Stream)
        {
            await WriteStreamAsync(context, reply, recorded, id, model, created);
            return;
        }

        var completion = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Text, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = reply.FinishReason,
            }),
        };
        if (reply.Usage is { } usage)
        {
            completion["usage"] = UsageJson(usage);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion.ToJsonString(), aborted);
    }

    private static async Task WriteStreamAsync(HttpContext context, FakeChatReply reply, RecordedChatRequest recorded, string id, string model, long created)
    {
        CancellationToken aborted = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";

        JsonObject Chunk(JsonArray choices) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = choices,
        };

        async Task SendAsync(string data)
        {
            await context.Response.WriteAsync($"data: {data}\n\n", aborted);
            await context.Response.Body.FlushAsync(aborted);
        }

        IReadOnlyList<string> pieces = Split(reply.Text, Math.Max(1, reply.StreamChunks));
        for (int i = 0; i < pieces.Count; i++)
        {
            if (reply.AbortStreamAfterChunks is { } abortAfter && i >= abortAfter)
            {
                await AbortAsync(context, reply);
                return;
            }

            var delta = new JsonObject { ["content"] = pieces[i] };
            if (i == 0)
            {
                delta["role"] = "assistant";
            }

            await SendAsync(Chunk(new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null })).ToJsonString());
        }

        if (reply.AbortStreamAfterChunks is { } abortAtEnd && abortAtEnd <= pieces.Count)
        {
            await AbortAsync(context, reply);
            return;
        }

        await SendAsync(Chunk(new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = reply.FinishReason })).ToJsonString());
        if (recorded.IncludeUsage && reply.Usage is { } usage)
        {
            JsonObject last = Chunk([]);
            last["usage"] = UsageJson(usage);
            await SendAsync(last.ToJsonString());
        }

        await SendAsync("[DONE]");
    }

    private static async Task AbortAsync(HttpContext context, FakeChatReply reply)
    {
        if (reply.AbortGate is { } gate)
        {
            await gate.WaitAsync(context.RequestAborted);
        }

        context.Abort();
    }

    private async Task HandleAudioAsync(HttpContext context, string endpoint)
    {
        CancellationToken aborted = context.RequestAborted;
        if (!context.Request.HasFormContentType)
        {
            await WriteErrorAsync(context, new FakeOpenAIError(400, "Expected multipart/form-data.", "invalid_request_error", null));
            return;
        }

        IFormCollection form = await context.Request.ReadFormAsync(aborted);
        IFormFile? file = form.Files.GetFile("file");
        byte[] bytes = [];
        if (file is not null)
        {
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy, aborted);
            bytes = copy.ToArray();
        }

        var recorded = new RecordedAudioRequest
        {
            Endpoint = endpoint,
            Model = form["model"].FirstOrDefault() ?? "",
            FileName = file?.FileName ?? "",
            ContentType = file?.ContentType,
            Bytes = bytes,
            Language = form["language"].FirstOrDefault(),
            ResponseFormat = form["response_format"].FirstOrDefault(),
            Prompt = form["prompt"].FirstOrDefault(),
            Authorization = context.Request.Headers.Authorization.FirstOrDefault(),
            ReceivedAt = _timeProvider.GetUtcNow(),
        };
        Record(() => _audioRequests.Add(recorded));

        FakeAudioReply reply = _audioScript.TryDequeue(out FakeAudioReply? scripted) ? scripted : DefaultAudioResponder(recorded);
        if (reply.Gate is { } gate)
        {
            await gate.WaitAsync(aborted);
        }

        if (reply.Error is { } error)
        {
            await WriteErrorAsync(context, error);
            return;
        }

        if (recorded.ResponseFormat is "text" or "srt" or "vtt")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(reply.Text, aborted);
            return;
        }

        var json = new JsonObject { ["text"] = reply.Text };
        if (reply.Duration is { } duration)
        {
            json["duration"] = duration.TotalSeconds;
        }

        if (reply.UsageSeconds is { } usageSeconds)
        {
            json["usage"] = new JsonObject { ["type"] = "duration", ["seconds"] = usageSeconds };
        }

        if (recorded.ResponseFormat == "verbose_json")
        {
            json["task"] = endpoint == "translations" ? "translate" : "transcribe";
            json["language"] = recorded.Language ?? "english";
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString(), aborted);
    }

    private RecordedChatRequest ParseChatRequest(HttpRequest request, string body, string rawTarget)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        List<RecordedChatMessage> messages = [];
        if (root.TryGetProperty("messages", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in list.EnumerateArray())
            {
                messages.Add(new RecordedChatMessage(
                    String(message, "role") ?? "",
                    String(message, "name"),
                    ContentText(message)));
            }
        }

        bool includeUsage = root.TryGetProperty("stream_options", out JsonElement streamOptions)
            && streamOptions.ValueKind == JsonValueKind.Object
            && streamOptions.TryGetProperty("include_usage", out JsonElement include)
            && include.ValueKind == JsonValueKind.True;

        return new RecordedChatRequest
        {
            Model = String(root, "model") ?? "",
            Messages = messages,
            MaxTokens = Int(root, "max_tokens"),
            MaxCompletionTokens = Int(root, "max_completion_tokens"),
            Temperature = root.TryGetProperty("temperature", out JsonElement t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null,
            Stream = root.TryGetProperty("stream", out JsonElement stream) && stream.ValueKind == JsonValueKind.True,
            IncludeUsage = includeUsage,
            Authorization = request.Headers.Authorization.FirstOrDefault(),
            Host = request.Host.Value,
            RawTarget = rawTarget,
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
            ReceivedAt = _timeProvider.GetUtcNow(),
        };
    }

    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out JsonElement content))
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? "";
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (JsonElement part in content.EnumerateArray())
        {
            if (String(part, "type") == "text")
            {
                text.Append(String(part, "text"));
            }
        }

        return text.ToString();
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static JsonObject UsageJson(FakeUsage usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0 },
    };

    private static List<string> Split(string text, int parts)
    {
        if (text.Length == 0)
        {
            return [""];
        }

        int size = (int)Math.Ceiling(text.Length / (double)Math.Min(parts, text.Length));
        List<string> pieces = [];
        for (int i = 0; i < text.Length; i += size)
        {
            pieces.Add(text.Substring(i, Math.Min(size, text.Length - i)));
        }

        return pieces;
    }

    private static async Task WriteErrorAsync(HttpContext context, FakeOpenAIError error)
    {
        context.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.RetryAfterMilliseconds is { } milliseconds)
        {
            context.Response.Headers["retry-after-ms"] = milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(error.ToJson(), context.RequestAborted);
    }
}
