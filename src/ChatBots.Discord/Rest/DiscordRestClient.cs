using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ChatBots.Discord.Api;
using ChatBots.Engine.Voice;
using Microsoft.Extensions.Logging;

namespace ChatBots.Discord.Rest;

/// <summary>
/// The Discord REST endpoints the adapter uses, over <c>/api/v10</c> with <c>Authorization: Bot …</c>. Every call goes
/// through <see cref="DiscordRateLimiter"/>; 429s wait the stated (capped) time and retry, 5xx retry with backoff,
/// a 401 on a bot-token route stops everything (a 401 on an interaction-token route fails only that request).
/// </summary>
internal sealed partial class DiscordRestClient(
    IHttpClientFactory httpClientFactory,
    DiscordRateLimiter limiter,
    TimeProvider time,
    ILogger<DiscordRestClient> logger)
{
    internal const string HttpClientName = "ChatBots.Discord";
    internal const string CdnClientName = "ChatBots.Discord.Cdn";
    internal const string ProjectUrl = "https://github.com/chatbots/chatbots";

    /// <summary>Discord's required form, <c>DiscordBot ($url, $versionNumber)</c>; Cloudflare may block other agents.</summary>
    internal static readonly string UserAgent = $"DiscordBot ({ProjectUrl}, {ProductVersion()})";

    /// <summary>The transcription API takes 25 MB; nothing larger is worth downloading.</summary>
    internal const long MaxAttachmentBytes = 25 * 1024 * 1024;

    private const int MaxAttempts = 5;

    /// <summary>Completes at the first 401 on a bot-token route: the adapter must stop and say so.</summary>
    public Task Unauthorized => limiter.Unauthorized;

    public Task<GatewayBotInfo> GetGatewayBotAsync(CancellationToken cancellationToken) =>
        SendAsync(new DiscordRoute(HttpMethod.Get, "gateway/bot", ""), "gateway/bot", null, DiscordJsonContext.Default.GatewayBotInfo, cancellationToken);

    public Task<ApplicationInfo> GetCurrentApplicationAsync(CancellationToken cancellationToken) =>
        SendAsync(new DiscordRoute(HttpMethod.Get, "applications/@me", ""), "applications/@me", null, DiscordJsonContext.Default.ApplicationInfo, cancellationToken);

    /// <summary>
    /// Creates a message; <paramref name="replyToMessageId"/> makes it a reply that degrades to a plain message if the
    /// trigger is gone. <paramref name="nonce"/> (≤ 25 characters, enforced) names the logical message: every retry, and
    /// any later re-send of the same part, carries it, so Discord returns the message it already created (within its
    /// window of a few minutes) instead of posting it twice.
    /// </summary>
    public Task<DiscordMessage> CreateMessageAsync(string channelId, string content, string? replyToMessageId, string nonce, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(content.Length, DiscordLimits.MessageLength, nameof(content));
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nonce.Length, DiscordLimits.NonceLength, nameof(nonce));
        var request = new CreateMessageRequest(
            content,
            AllowedMentions.None,
            replyToMessageId is null ? null : new MessageReference { MessageId = replyToMessageId, FailIfNotExists = false })
        {
            Nonce = nonce,
            EnforceNonce = true,
        };
        return SendAsync(
            new DiscordRoute(HttpMethod.Post, "channels/{channel.id}/messages", channelId),
            $"channels/{channelId}/messages",
            Json(request, DiscordJsonContext.Default.CreateMessageRequest),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);
    }

    public Task<DiscordMessage> EditMessageAsync(string channelId, string messageId, string content, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(content.Length, DiscordLimits.MessageLength, nameof(content));
        return SendAsync(
            new DiscordRoute(HttpMethod.Patch, "channels/{channel.id}/messages/{message.id}", channelId),
            $"channels/{channelId}/messages/{messageId}",
            Json(new EditMessageRequest(content, AllowedMentions.None), DiscordJsonContext.Default.EditMessageRequest),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);
    }

    public Task TriggerTypingAsync(string channelId, CancellationToken cancellationToken) =>
        SendAsync(new DiscordRoute(HttpMethod.Post, "channels/{channel.id}/typing", channelId), $"channels/{channelId}/typing", [], cancellationToken);

    /// <summary>Replaces the application's commands, globally or in one guild.</summary>
    public Task BulkOverwriteCommandsAsync(string applicationId, string? guildId, IReadOnlyList<ApplicationCommand> commands, CancellationToken cancellationToken)
    {
        byte[] body = Json(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand);
        return guildId is null
            ? SendAsync(new DiscordRoute(HttpMethod.Put, "applications/{application.id}/commands", applicationId), $"applications/{applicationId}/commands", body, cancellationToken)
            : SendAsync(new DiscordRoute(HttpMethod.Put, "applications/{application.id}/guilds/{guild.id}/commands", guildId), $"applications/{applicationId}/guilds/{guildId}/commands", body, cancellationToken);
    }

    /// <summary>
    /// Answers an interaction: type 5 defers, type 4 answers with <paramref name="content"/> and returns the id of the
    /// message it created (asked for with <c>with_response</c>), null for a deferral.
    /// </summary>
    public async Task<string?> CreateInteractionResponseAsync(string interactionId, string interactionToken, int type, string? content, CancellationToken cancellationToken)
    {
        var response = new InteractionResponse(type, content is null ? null : new InteractionCallbackData(content, AllowedMentions.None));
        var route = new DiscordRoute(HttpMethod.Post, "interactions/{interaction.id}/{interaction.token}/callback", interactionId, ExemptFromGlobal: true, InteractionToken: true);
        byte[] body = Json(response, DiscordJsonContext.Default.InteractionResponse);
        if (content is null)
        {
            await SendAsync(route, $"interactions/{interactionId}/{interactionToken}/callback", body, cancellationToken);
            return null;
        }

        InteractionCallbackResponse created = await SendAsync(
            route, $"interactions/{interactionId}/{interactionToken}/callback?with_response=true", body, DiscordJsonContext.Default.InteractionCallbackResponse, cancellationToken);
        return created.MessageId;
    }

    public Task<DiscordMessage> EditOriginalInteractionResponseAsync(string applicationId, string interactionToken, string content, CancellationToken cancellationToken) =>
        SendAsync(
            new DiscordRoute(HttpMethod.Patch, "webhooks/{application.id}/{interaction.token}/messages/@original", applicationId + interactionToken, ExemptFromGlobal: true, InteractionToken: true),
            $"webhooks/{applicationId}/{interactionToken}/messages/@original",
            Json(new EditMessageRequest(content, AllowedMentions.None), DiscordJsonContext.Default.EditMessageRequest),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    /// <summary>Further parts of a long interaction answer.</summary>
    public Task<DiscordMessage> CreateFollowupMessageAsync(string applicationId, string interactionToken, string content, CancellationToken cancellationToken) =>
        SendAsync(
            new DiscordRoute(HttpMethod.Post, "webhooks/{application.id}/{interaction.token}", applicationId + interactionToken, ExemptFromGlobal: true, InteractionToken: true),
            $"webhooks/{applicationId}/{interactionToken}",
            Json(new CreateMessageRequest(content, AllowedMentions.None, null), DiscordJsonContext.Default.CreateMessageRequest),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    /// <summary>Opens a public thread from a message; its id equals the message id.</summary>
    public Task<DiscordChannel> StartThreadFromMessageAsync(string channelId, string messageId, string name, CancellationToken cancellationToken) =>
        SendAsync(
            new DiscordRoute(HttpMethod.Post, "channels/{channel.id}/messages/{message.id}/threads", channelId),
            $"channels/{channelId}/messages/{messageId}/threads",
            Json(new StartThreadRequest(name, 1440), DiscordJsonContext.Default.StartThreadRequest),
            DiscordJsonContext.Default.DiscordChannel,
            cancellationToken);

    public Task<DiscordMessage> GetMessageAsync(string channelId, string messageId, CancellationToken cancellationToken) =>
        SendAsync(
            new DiscordRoute(HttpMethod.Get, "channels/{channel.id}/messages/{message.id}", channelId),
            $"channels/{channelId}/messages/{messageId}",
            null,
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    /// <summary>
    /// Downloads an attachment into memory after checking its declared size. CDN URLs are signed and expire: on 403/404
    /// the message is fetched again for a fresh URL, once.
    /// </summary>
    public async Task<Stream> DownloadAttachmentAsync(DiscordAttachment attachment, string channelId, string messageId, CancellationToken cancellationToken)
    {
        if (attachment.Size > MaxAttachmentBytes)
        {
            throw new AudioTooLargeException(MaxAttachmentBytes, $"Attachment of {attachment.Size} bytes exceeds the {MaxAttachmentBytes}-byte limit.");
        }

        HttpClient cdn = httpClientFactory.CreateClient(CdnClientName);
        string url = attachment.Url;
        for (int attempt = 1; ; attempt++)
        {
            using HttpResponseMessage response = await cdn.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (attempt == 1 && response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                LogAttachmentUrlExpired(logger, attachment.Id);
                DiscordMessage fresh = await GetMessageAsync(channelId, messageId, cancellationToken);
                url = fresh.Attachments?.FirstOrDefault(a => a.Id == attachment.Id)?.Url
                    ?? throw new InvalidOperationException($"Attachment {attachment.Id} is no longer on message {messageId}.");
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DiscordHttpException(response.StatusCode, "cdn attachment", $"Downloading attachment {attachment.Id} failed with HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > MaxAttachmentBytes)
            {
                throw new AudioTooLargeException(MaxAttachmentBytes, $"Attachment {attachment.Id} is larger than {MaxAttachmentBytes} bytes.");
            }

            var buffer = new MemoryStream();
            await using (Stream body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                byte[] chunk = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (buffer.Length + read > MaxAttachmentBytes)
                    {
                        throw new AudioTooLargeException(MaxAttachmentBytes, $"Attachment {attachment.Id} is larger than {MaxAttachmentBytes} bytes.");
                    }

                    await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
                }
            }

            buffer.Position = 0;
            return buffer;
        }
    }

    private async Task<T> SendAsync<T>(DiscordRoute route, string path, byte[]? body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendCoreAsync(route, path, body, cancellationToken);
        return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken)
            ?? throw new DiscordHttpException(response.StatusCode, route.Template, $"Discord returned an empty body for {route.Key}.");
    }

    private async Task SendAsync(DiscordRoute route, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendCoreAsync(route, path, body, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(DiscordRoute route, string path, byte[]? body, CancellationToken cancellationToken)
    {
        HttpClient http = httpClientFactory.CreateClient(HttpClientName);
        for (int attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            using (await limiter.AcquireAsync(route, cancellationToken))
            {
                // The body is rebuilt per attempt: HttpContent cannot be sent twice.
                using var request = new HttpRequestMessage(route.Method, path);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }

                try
                {
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                }
                catch (HttpRequestException ex) when (attempt < 3)
                {
                    LogTransportRetry(logger, ex, route.Key, attempt);
                    await Task.Delay(Backoff(attempt), time, cancellationToken);
                    continue;
                }

                limiter.Update(route, response);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                TimeSpan retryAfter = await limiter.OnFailureAsync(route, response, cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Unauthorized when route.InteractionToken:
                        // The interaction's own token expired (15 minutes) or was never valid: this request fails, nothing else.
                        string tokenError = await ReadErrorAsync(response, cancellationToken);
                        LogInteractionTokenRefused(logger, route.Key, tokenError);
                        throw new DiscordInteractionExpiredException(route.Template, tokenError);
                    case HttpStatusCode.Unauthorized:
                        LogUnauthorized(logger, route.Key);
                        throw new DiscordUnauthorizedException(route.Template);
                    case HttpStatusCode.TooManyRequests when attempt < MaxAttempts:
                        // The limiter now holds the bucket (or everything) until the stated time; the next acquire waits it out.
                        LogRetrying(logger, route.Key, (int)response.StatusCode, attempt, retryAfter.TotalMilliseconds);
                        continue;
                    case >= HttpStatusCode.InternalServerError when attempt < 3:
                        TimeSpan delay = Backoff(attempt);
                        LogRetrying(logger, route.Key, (int)response.StatusCode, attempt, delay.TotalMilliseconds);
                        await Task.Delay(delay, time, cancellationToken);
                        continue;
                    default:
                        string error = await ReadErrorAsync(response, cancellationToken);
                        LogFailed(logger, route.Key, (int)response.StatusCode, error);
                        throw new DiscordHttpException(response.StatusCode, route.Template, $"Discord {route.Key} failed with HTTP {(int)response.StatusCode}: {error}");
                }
            }
        }
    }

    /// <summary>The informational version without build metadata (<c>1.2.0+abc123</c> → <c>1.2.0</c>).</summary>
    private static string ProductVersion()
    {
        string? version = typeof(DiscordRestClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        version = plus >= 0 ? version![..plus] : version;
        return string.IsNullOrWhiteSpace(version) ? "1.0" : version;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1) * (0.75 + (Random.Shared.NextDouble() * 0.5)));

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("code", out JsonElement code)
                && doc.RootElement.TryGetProperty("message", out JsonElement message))
            {
                return $"{code} {message.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not Discord's JSON error shape (a proxy or Cloudflare page): report its start.
        }

        return text.Length > 200 ? text[..200] : text;
    }

    private static byte[] Json<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    [LoggerMessage(2001, LogLevel.Warning, "Discord {Route} answered {Status} (attempt {Attempt}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string route, int status, int attempt, double delayMs);

    [LoggerMessage(2002, LogLevel.Warning, "Discord {Route} failed with HTTP {Status}: {Error}")]
    private static partial void LogFailed(ILogger logger, string route, int status, string error);

    [LoggerMessage(2003, LogLevel.Critical, "Discord answered 401 on {Route}: the bot token is wrong; every further Discord request is refused. Fix Discord:BotToken")]
    private static partial void LogUnauthorized(ILogger logger, string route);

    [LoggerMessage(2004, LogLevel.Warning, "Discord {Route} transport error (attempt {Attempt}); retrying")]
    private static partial void LogTransportRetry(ILogger logger, Exception exception, string route, int attempt);

    [LoggerMessage(2005, LogLevel.Information, "Attachment {AttachmentId} URL expired; fetching the message again")]
    private static partial void LogAttachmentUrlExpired(ILogger logger, string attachmentId);

    [LoggerMessage(2006, LogLevel.Warning, "Discord refused an interaction token on {Route} ({Error}): the interaction expired; the bot token is not affected")]
    private static partial void LogInteractionTokenRefused(ILogger logger, string route, string error);
}
