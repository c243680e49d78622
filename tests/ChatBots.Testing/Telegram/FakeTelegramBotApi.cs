using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatBots.Testing.Telegram;

/// <summary>
/// A fake Telegram Bot API on loopback (Kestrel, port 0) for the real Telegram.Bot client: serves
/// <c>/bot{token}/{method}</c> (JSON, form or query parameters, case-insensitive methods) and
/// <c>/file/bot{token}/{path}</c>. Tests script updates and errors and read what the client sent.
/// </summary>
public sealed class FakeTelegramBotApi : IAsyncDisposable
{
    public const string DefaultToken = "123456:TEST-token_for_tests";
    public const long DefaultBotId = 123456;
    public const string DefaultBotUsername = "chatbots_test_bot";

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _updates = [];
    private readonly List<TelegramScriptedError> _errors = [];
    private readonly ConcurrentQueue<TelegramRequest> _requests = new();
    private readonly ConcurrentQueue<TelegramSentMessage> _sent = new();
    private readonly ConcurrentQueue<TelegramChatAction> _actions = new();
    private readonly ConcurrentDictionary<long, Channel<TelegramSentMessage>> _sentByChat = new();
    private readonly ConcurrentDictionary<string, (string Path, byte[] Bytes)> _files = new();
    private readonly ConcurrentDictionary<string, string> _localFiles = new();
    private readonly ConcurrentDictionary<string, bool> _unsizedFiles = new();
    private int _fileDownloads;
    private int _handling;
    private TaskCompletionSource _updatesArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextUpdateId = 100;
    private int _nextSentMessageId = 5000;

    private FakeTelegramBotApi(WebApplication app, string token, TimeProvider time)
    {
        _app = app;
        Token = token;
        _time = time;
        // A clock that moves on its own must not overtake a request being handled (a parked long poll is not handled).
        (time as ObservedTimeProvider)?.AddBusySource(() => Volatile.Read(ref _handling) > 0);
    }

    /// <summary>The base URL to give the client (<c>TelegramBotClientOptions(token, baseUrl)</c>, <c>Telegram:ApiBaseUrl</c>).</summary>
    public string BaseUrl { get; private set; } = "";

    public string Token { get; }

    public long BotId { get; init; } = DefaultBotId;

    public string BotUsername { get; init; } = DefaultBotUsername;

    /// <summary>The webhook URL last set (empty when none).</summary>
    public string WebhookUrl { get; private set; } = "";

    /// <summary>The secret token last given to setWebhook.</summary>
    public string? WebhookSecret { get; private set; }

    /// <summary>The commands from the last setMyCommands, as (command, description).</summary>
    public IReadOnlyList<(string Command, string Description)> Commands { get; private set; } = [];

    public IReadOnlyList<TelegramRequest> Requests => [.. _requests];

    public IReadOnlyList<TelegramSentMessage> SentMessages => [.. _sent];

    public IReadOnlyList<TelegramChatAction> ChatActions => [.. _actions];

    /// <summary>Starts the fake. <paramref name="time"/> stamps recorded requests (a FakeTimeProvider makes waits measurable).</summary>
    public static async Task<FakeTelegramBotApi> StartAsync(string token = DefaultToken, TimeProvider? time = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var fake = new FakeTelegramBotApi(app, token, time ?? TimeProvider.System);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>Queues an update carrying <paramref name="message"/>; returns its update_id.</summary>
    public int EnqueueMessage(JsonObject message) => EnqueueUpdate("message", message);

    /// <summary>Queues an <c>edited_message</c> update; returns its update_id.</summary>
    public int EnqueueEditedMessage(JsonObject message)
    {
        message["edit_date"] = 1_900_000_100;
        return EnqueueUpdate("edited_message", message);
    }

    /// <summary>Queues an update with the given payload field; returns its update_id.</summary>
    public int EnqueueUpdate(string kind, JsonObject payload)
    {
        lock (_gate)
        {
            int id = _nextUpdateId++;
            _updates.Add(new JsonObject { ["update_id"] = id, [kind] = payload });
            _updatesArrived.TrySetResult();
            _updatesArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return id;
        }
    }

    /// <summary>Updates queued and not yet confirmed by an offset.</summary>
    public int UnconfirmedUpdates
    {
        get
        {
            lock (_gate)
            {
                return _updates.Count;
            }
        }
    }

    /// <summary>Scripts an error answer (429 with retry_after, 400 parse error, 401, 409...).</summary>
    public void AddError(TelegramScriptedError error)
    {
        lock (_gate)
        {
            _errors.Add(error);
        }
    }

    /// <summary>
    /// Registers a file for getFile and the download route; returns its file_path. Without <paramref name="reportSize"/>,
    /// getFile leaves out file_size (Telegram may), so only the download shows how big the file is.
    /// </summary>
    public string AddFile(string fileId, byte[] bytes, string extension = "oga", bool reportSize = true)
    {
        string path = $"voice/file_{_files.Count}.{extension}";
        _files[fileId] = (path, bytes);
        if (!reportSize)
        {
            _unsizedFiles[fileId] = true;
        }

        return path;
    }

    /// <summary>
    /// Registers a file the way a local Bot API server (<c>--local</c>) reports it: getFile answers with the absolute
    /// <paramref name="absolutePath"/> on disk, and the download route does not serve it.
    /// </summary>
    public void AddLocalFile(string fileId, string absolutePath) => _localFiles[fileId] = absolutePath;

    /// <summary>Requests to the file download route, served or not.</summary>
    public int FileDownloads => Volatile.Read(ref _fileDownloads);

    /// <summary>The next message sent to <paramref name="chatId"/> (in send order), or a TimeoutException.</summary>
    public async Task<TelegramSentMessage> NextMessageAsync(long chatId, TimeSpan? timeout = null)
    {
        Channel<TelegramSentMessage> channel = _sentByChat.GetOrAdd(chatId, _ => Channel.CreateUnbounded<TelegramSentMessage>());
        // Cancel the read itself on timeout: an abandoned ReadAsync would still take (and lose) the next message.
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException ex) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No message to chat {chatId}. Requests:\n{string.Join('\n', _requests.Select(r => $"{r.At:HH:mm:ss.fff} {r.Method} {r.StatusCode} {r.Parameters.ToJsonString()}"))}", ex);
        }
    }

    /// <summary>Posts an update to a webhook endpoint the way Telegram does; returns the HTTP status code.</summary>
    public async Task<int> PostWebhookAsync(Uri endpoint, string? secretToken, JsonObject message)
    {
        int id;
        lock (_gate)
        {
            id = _nextUpdateId++;
        }

        var update = new JsonObject { ["update_id"] = id, ["message"] = message };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (secretToken is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secretToken);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Handling(+1);
        try
        {
            await HandleRequestAsync(context);
        }
        finally
        {
            Handling(-1);
        }
    }

    private void Handling(int delta)
    {
        Interlocked.Add(ref _handling, delta);
        (_time as ObservedTimeProvider)?.NoteActivity();
    }

    private async Task HandleRequestAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        string botPrefix = "/bot" + Token + "/";
        string filePrefix = "/file/bot" + Token + "/";
        if (path.StartsWith(filePrefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _fileDownloads);
            string filePath = path[filePrefix.Length..];
            (string Path, byte[] Bytes) file = _files.Values.FirstOrDefault(f => f.Path == filePath);
            if (file.Bytes is null)
            {
                await WriteError(context, 404, "Not Found: file not found", null);
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(file.Bytes);
            return;
        }

        if (!path.StartsWith("/bot", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (!path.StartsWith(botPrefix, StringComparison.Ordinal))
        {
            await WriteError(context, 401, "Unauthorized", null);
            return;
        }

        string method = path[botPrefix.Length..].ToLowerInvariant();
        JsonObject parameters = await ReadParametersAsync(context.Request);
        TelegramScriptedError? error = TakeError(method, parameters);
        if (error is not null)
        {
            Record(method, parameters, error.ErrorCode);
            await WriteError(context, error.ErrorCode, error.Description, error.RetryAfterSeconds);
            return;
        }

        switch (method)
        {
            case "getme":
                Record(method, parameters, 200);
                await WriteResult(context, new JsonObject
                {
                    ["id"] = BotId,
                    ["is_bot"] = true,
                    ["first_name"] = "Test bot",
                    ["username"] = BotUsername,
                    ["can_join_groups"] = true,
                    ["can_read_all_group_messages"] = false,
                    ["supports_inline_queries"] = false,
                });
                break;
            case "deletewebhook":
                Record(method, parameters, 200);
                WebhookUrl = "";
                await WriteResult(context, true);
                break;
            case "setwebhook":
                Record(method, parameters, 200);
                WebhookUrl = GetString(parameters, "url") ?? "";
                WebhookSecret = GetString(parameters, "secret_token");
                await WriteResult(context, true);
                break;
            case "getwebhookinfo":
                Record(method, parameters, 200);
                await WriteResult(context, new JsonObject { ["url"] = WebhookUrl, ["has_custom_certificate"] = false, ["pending_update_count"] = UnconfirmedUpdates });
                break;
            case "getupdates":
                await GetUpdatesAsync(context, parameters);
                break;
            case "sendmessage":
                await SendMessageAsync(context, parameters);
                break;
            case "editmessagetext":
                Record(method, parameters, 200);
                await WriteResult(context, MessageResult(GetLong(parameters, "chat_id") ?? 0, (int)(GetLong(parameters, "message_id") ?? 0), GetString(parameters, "text") ?? ""));
                break;
            case "sendchataction":
                Record(method, parameters, 200);
                _actions.Enqueue(new TelegramChatAction(GetLong(parameters, "chat_id") ?? 0, GetString(parameters, "action") ?? "", (int?)GetLong(parameters, "message_thread_id"), _time.GetUtcNow()));
                await WriteResult(context, true);
                break;
            case "setmycommands":
                Record(method, parameters, 200);
                Commands = parameters["commands"] is JsonArray commands
                    ? [.. commands.OfType<JsonObject>().Select(c => (GetString(c, "command") ?? "", GetString(c, "description") ?? ""))]
                    : [];
                await WriteResult(context, true);
                break;
            case "getfile":
                string fileId = GetString(parameters, "file_id") ?? "";
                if (_localFiles.TryGetValue(fileId, out string? localPath))
                {
                    Record(method, parameters, 200);
                    await WriteResult(context, new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = "u-" + fileId, ["file_size"] = new FileInfo(localPath).Length, ["file_path"] = localPath });
                    break;
                }

                if (!_files.TryGetValue(fileId, out (string Path, byte[] Bytes) stored))
                {
                    Record(method, parameters, 400);
                    await WriteError(context, 400, "Bad Request: invalid file_id", null);
                    break;
                }

                Record(method, parameters, 200);
                var fileResult = new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = "u-" + fileId, ["file_size"] = stored.Bytes.Length, ["file_path"] = stored.Path };
                if (_unsizedFiles.ContainsKey(fileId))
                {
                    fileResult.Remove("file_size");
                }

                await WriteResult(context, fileResult);
                break;
            default:
                Record(method, parameters, 404);
                await WriteError(context, 404, "Not Found: method not found", null);
                break;
        }
    }

    private async Task GetUpdatesAsync(HttpContext context, JsonObject parameters)
    {
        if (WebhookUrl.Length > 0)
        {
            Record("getupdates", parameters, 409);
            await WriteError(context, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", null);
            return;
        }

        Record("getupdates", parameters, 200);
        long? offset = GetLong(parameters, "offset");
        int limit = (int)(GetLong(parameters, "limit") ?? 100);
        long timeoutSeconds = GetLong(parameters, "timeout") ?? 0;
        // Long polling waits in real time (bounded by the client's request), whatever clock the tests use.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        while (true)
        {
            JsonObject[] batch;
            Task arrived;
            lock (_gate)
            {
                if (offset is < 0)
                {
                    int keep = (int)-offset.Value;
                    _updates.RemoveRange(0, Math.Max(0, _updates.Count - keep));
                }
                else if (offset is { } confirmed)
                {
                    // An update is confirmed once getUpdates is called with a higher offset: the fake forgets it.
                    _updates.RemoveAll(u => u["update_id"]!.GetValue<int>() < confirmed);
                }

                batch = [.. _updates.Take(limit).Select(u => (JsonObject)u.DeepClone())];
                arrived = _updatesArrived.Task;
            }

            if (batch.Length > 0 || timeoutSeconds == 0)
            {
                await WriteResult(context, new JsonArray([.. batch]));
                return;
            }

            // Parked until an update arrives: waiting, not handling.
            bool woken;
            Handling(-1);
            try
            {
                await arrived.WaitAsync(linked.Token);
                woken = true;
            }
            catch (OperationCanceledException)
            {
                woken = false;
            }
            finally
            {
                Handling(+1);
            }

            if (!woken)
            {
                if (!context.RequestAborted.IsCancellationRequested)
                {
                    await WriteResult(context, new JsonArray());
                }

                return;
            }
        }
    }

    private async Task SendMessageAsync(HttpContext context, JsonObject parameters)
    {
        long chatId = GetLong(parameters, "chat_id") ?? 0;
        string text = GetString(parameters, "text") ?? "";
        // Telegram reads parse_mode case-insensitively (Telegram.Bot sends "Html"); record the documented spelling.
        string? parseMode = GetString(parameters, "parse_mode")?.ToUpperInvariant() switch
        {
            null or "" => null,
            "HTML" => "HTML",
            "MARKDOWNV2" => "MarkdownV2",
            "MARKDOWN" => "Markdown",
            string other => other,
        };
        int length = string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase) ? HtmlPlainLength(text) : text.Length;
        if (length is < 1 or > 4096)
        {
            Record("sendmessage", parameters, 400);
            await WriteError(context, 400, length < 1 ? "Bad Request: message text is empty" : "Bad Request: message is too long", null);
            return;
        }

        Record("sendmessage", parameters, 200);
        JsonObject? reply = parameters["reply_parameters"] as JsonObject;
        if (parameters["reply_parameters"] is JsonValue replyText && replyText.TryGetValue(out string? replyJson))
        {
            reply = JsonNode.Parse(replyJson) as JsonObject;
        }

        int id = Interlocked.Increment(ref _nextSentMessageId);
        var sent = new TelegramSentMessage(
            id,
            chatId,
            text,
            parseMode,
            reply is null ? null : (int?)GetLong(reply, "message_id"),
            reply?["allow_sending_without_reply"]?.GetValue<bool>(),
            (int?)GetLong(parameters, "message_thread_id"),
            _time.GetUtcNow());
        _sent.Enqueue(sent);
        _sentByChat.GetOrAdd(chatId, _ => Channel.CreateUnbounded<TelegramSentMessage>()).Writer.TryWrite(sent);
        await WriteResult(context, MessageResult(chatId, id, text));
    }

    private JsonObject MessageResult(long chatId, int messageId, string text) => new()
    {
        ["message_id"] = messageId,
        ["date"] = _time.GetUtcNow().ToUnixTimeSeconds(),
        ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = chatId < 0 ? "supergroup" : "private" },
        ["from"] = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "Test bot", ["username"] = BotUsername },
        ["text"] = text,
    };

    private TelegramScriptedError? TakeError(string method, JsonObject parameters)
    {
        lock (_gate)
        {
            foreach (TelegramScriptedError error in _errors)
            {
                if (error.Remaining > 0 && string.Equals(error.Method, method, StringComparison.OrdinalIgnoreCase) && (error.When is null || error.When(parameters)))
                {
                    error.Remaining--;
                    return error;
                }
            }

            return null;
        }
    }

    private void Record(string method, JsonObject parameters, int status) =>
        _requests.Enqueue(new TelegramRequest(method, parameters, status, _time.GetUtcNow()));

    /// <summary>What Telegram counts: the text without tags, each entity one character.</summary>
    public static int HtmlPlainLength(string html)
    {
        int length = 0;
        for (int i = 0; i < html.Length; i++)
        {
            if (html[i] == '<')
            {
                int end = html.IndexOf('>', i);
                i = end < 0 ? html.Length : end;
            }
            else
            {
                if (html[i] == '&')
                {
                    int end = html.IndexOf(';', i);
                    i = end < 0 ? i : end;
                }

                length++;
            }
        }

        return length;
    }

    private static async Task<JsonObject> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new JsonObject();
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> pair in request.Query)
        {
            parameters[pair.Key] = pair.Value.ToString();
        }

        if (request.HasFormContentType)
        {
            IFormCollection form = await request.ReadFormAsync();
            foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> pair in form)
            {
                parameters[pair.Key] = ParseFormValue(pair.Value.ToString());
            }
        }
        else if (request.ContentLength is null or > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            if (body.Length > 0 && JsonNode.Parse(body) is JsonObject json)
            {
                foreach ((string key, JsonNode? value) in json.ToList())
                {
                    json.Remove(key);
                    parameters[key] = value;
                }
            }
        }

        return parameters;
    }

    private static JsonNode? ParseFormValue(string value)
    {
        if (value.StartsWith('{') || value.StartsWith('['))
        {
            try
            {
                return JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                return value;
            }
        }

        return value;
    }

    public static string? GetString(JsonObject parameters, string name) => parameters[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? s) => s,
        JsonNode node => node.ToJsonString(),
    };

    public static long? GetLong(JsonObject parameters, string name) => parameters[name] switch
    {
        JsonValue value when value.TryGetValue(out long l) => l,
        JsonValue value when value.TryGetValue(out string? s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) => parsed,
        _ => null,
    };

    private static Task WriteResult(HttpContext context, JsonNode result) =>
        WriteJson(context, 200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static Task WriteResult(HttpContext context, bool result) =>
        WriteJson(context, 200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static Task WriteError(HttpContext context, int code, string description, int? retryAfter)
    {
        var body = new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description };
        if (retryAfter is { } seconds)
        {
            body["parameters"] = new JsonObject { ["retry_after"] = seconds };
        }

        return WriteJson(context, code, body);
    }

    private static async Task WriteJson(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = new MediaTypeHeaderValue("application/json").ToString();
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
