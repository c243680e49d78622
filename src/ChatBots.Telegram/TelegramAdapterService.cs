using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Voice;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ChatBots.Telegram;

/// <summary>
/// The Telegram adapter: learns who the bot is, registers the engine's commands, replays updates accepted before a
/// restart, then receives by long polling or webhook while re-delivering pending updates whose reply did not get
/// through. A rejected token stops this adapter only (the host keeps running).
/// </summary>
internal sealed class TelegramAdapterService(
    ITelegramBotClient client,
    IOptions<TelegramOptions> options,
    IOptionsMonitor<VoiceOptions> voice,
    IConversationEngine engine,
    UpdateJournal journal,
    TelegramDelivery delivery,
    InflightTracker tracker,
    TelegramStatus status,
    TimeProvider time,
    ILogger<TelegramAdapterService> logger) : BackgroundService
{
    private const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";
    private const int KeepAnswered = 10_000;
    private static readonly TimeSpan AnsweredMaxAge = TimeSpan.FromDays(7);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private static readonly UpdateType[] AllowedUpdates = [UpdateType.Message];

    private readonly TelegramOptions _options = options.Value;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    // Webhook deliveries still counted as backlog: all of them until getWebhookInfo says how many waited.
    private int _webhookBacklog = int.MaxValue;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Let replies in flight finish within the host's shutdown timeout; then nothing more is sent.
        await tracker.DrainAndCloseAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            BotIdentity? bot = await ConnectAsync(stoppingToken);
            if (bot is null)
            {
                return;
            }

            var mapper = new TelegramUpdateMapper(bot, _options, client, engine.Commands.Select(c => c.Name), () => voice.CurrentValue.TelegramMaxFileBytes);
            var dispatcher = new UpdateDispatcher(mapper, journal, engine, delivery, tracker, _options.Redelivery, time, logger);
            await RegisterCommandsAsync(stoppingToken);
            await PruneAsync(stoppingToken);
            await dispatcher.ReplayPendingAsync(stoppingToken);

            using var receiving = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            // Never throws: whatever happens to re-delivery, how the receiver ended is what counts below.
            Task redelivery = RunRedeliveryAsync(dispatcher, receiving.Token);
            try
            {
                if (_options.Mode == TelegramMode.Webhook)
                {
                    await RunWebhookAsync(dispatcher, receiving.Token);
                }
                else
                {
                    await PollAsync(dispatcher, receiving.Token);
                }
            }
            finally
            {
                // The receiver stopped (shutdown, or a fatal error): so does re-delivery.
                await receiving.CancelAsync();
                await redelivery;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
        {
            Fatal(ex.ErrorCode);
        }
        catch (Exception ex)
        {
            // An exception escaping ExecuteAsync would stop the whole host; only this adapter stops.
            Log.AdapterFailed(logger, ex);
            status.SetFaulted($"The Telegram adapter stopped after an unexpected {ex.GetType().Name}; see the log (check Telegram:Mode and Telegram:Webhook settings).");
        }
        finally
        {
            status.SetConnected(false);
        }
    }

    private async Task<BotIdentity?> ConnectAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                User me = await client.GetMe(cancellationToken);
                status.BotUsername = me.Username;
                Log.Connected(logger, me.Username ?? me.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), _options.Mode);
                return new BotIdentity(me.Id, me.Username ?? "");
            }
            catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
            {
                // 401: revoked or wrong token; 404: not a token at all, or not a Bot API server. Retrying cannot help.
                Fatal(ex.ErrorCode);
                return null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Log.GetMeFailed(logger, delay, ex);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private void Fatal(int errorCode)
    {
        if (errorCode == 404)
        {
            // The public API answers 404 to a malformed token; a wrong base URL (a path, another service) does too.
            string api = Uri.TryCreate(_options.ApiBaseUrl, UriKind.Absolute, out Uri? uri) ? uri.GetLeftPart(UriPartial.Authority) : "?";
            Log.ApiNotFound(logger, api);
            status.SetFaulted($"Telegram answered 404 to getMe: check Telegram:ApiBaseUrl ({api}) points at a Bot API server, and Telegram:BotToken.");
            return;
        }

        Log.InvalidToken(logger);
        status.SetFaulted("Telegram rejected the bot token (401): check Telegram:BotToken.");
    }

    private async Task RunRedeliveryAsync(UpdateDispatcher dispatcher, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.RunRedeliveryAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: whatever waits for another attempt is still pending and replayed at the next start.
        }
        catch (Exception ex)
        {
            // A bug or a store failure, perhaps raised while stopping: logged here, never rethrown by the await in
            // ExecuteAsync's finally, where it would replace the receiver's own exception (or a clean stop).
            Log.RedeliveryFailed(logger, ex);
        }
    }

    private async Task RegisterCommandsAsync(CancellationToken cancellationToken)
    {
        // Telegram accepts 1-32 lowercase letters, digits and underscores, with a 1-256 character description.
        BotCommand[] commands =
        [
            .. engine.Commands
                .Where(c => c.Name.Length is > 0 and <= 32 && c.Name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
                .Select(c => new BotCommand { Command = c.Name, Description = string.IsNullOrWhiteSpace(c.Description) ? c.Name : c.Description[..Math.Min(256, c.Description.Length)] }),
        ];
        try
        {
            await client.SetMyCommands(commands: commands, cancellationToken: cancellationToken);
            Log.CommandsRegistered(logger, commands.Length);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
        {
            throw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The menu is a convenience: commands typed by hand still work.
            Log.CommandsFailed(logger, ex);
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (now - _lastPrune < PruneInterval)
        {
            return;
        }

        _lastPrune = now;
        int removed = await journal.PruneAnsweredAsync(KeepAnswered, AnsweredMaxAge, cancellationToken);
        Log.Pruned(logger, removed);
    }

    private async Task PollAsync(UpdateDispatcher dispatcher, CancellationToken cancellationToken)
    {
        await WithRetryAsync(ct => client.DeleteWebhook(dropPendingUpdates: false, cancellationToken: ct), cancellationToken);
        int? offset = await journal.GetOffsetAsync(cancellationToken);
        int pollSeconds = (int)Math.Max(1, _options.PollTimeout.TotalSeconds);
        int failures = 0;
        // Until the first empty answer, getUpdates returns what waited on Telegram's server while the bot was down:
        // backlog, decided by position (Telegram's and this host's clocks are never compared). Those polls do not wait,
        // so the first empty answer comes at once and marks where live traffic begins.
        bool caughtUp = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            Update[] updates;
            try
            {
                updates = await client.GetUpdates(offset: offset, timeout: caughtUp ? pollSeconds : 0, allowedUpdates: AllowedUpdates, cancellationToken: cancellationToken);
                failures = 0;
                status.SetConnected(true);
            }
            catch (ApiRequestException ex) when (ex.ErrorCode == 409)
            {
                // Another instance polls with this token (or a webhook is set): back off, never spin.
                TimeSpan delay = Backoff.Delay(++failures, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1));
                Log.PollingConflict(logger, delay, ex);
                await Task.Delay(delay, time, cancellationToken);
                continue;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ApiRequestException { ErrorCode: 401 or 404 })
            {
                TimeSpan delay = Backoff.Delay(++failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Log.PollingFailed(logger, delay, ex);
                await Task.Delay(delay, time, cancellationToken);
                continue;
            }

            if (updates.Length == 0)
            {
                caughtUp = true;
                continue;
            }

            bool backlog = !caughtUp;

            // Persist every accepted update before the offset moves past it; only then hand them to the engine.
            var accepted = new List<MappedMessage>(updates.Length);
            try
            {
                foreach (Update update in updates.OrderBy(u => u.Id))
                {
                    if (await dispatcher.AcceptAsync(update, null, cancellationToken) is { } mapped)
                    {
                        accepted.Add(mapped);
                    }
                }

                await journal.SetOffsetAsync(updates.Max(u => u.Id) + 1, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The store failed (disk full, locked): the offset did not move, so the same updates come again.
                // The ones already recorded as pending go to the engine now (a re-delivery skips them as in flight).
                foreach (MappedMessage mapped in accepted)
                {
                    dispatcher.Enqueue(mapped, backlog);
                }

                TimeSpan delay = Backoff.Delay(++failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Log.PollingFailed(logger, delay, ex);
                await Task.Delay(delay, time, cancellationToken);
                continue;
            }

            offset = updates.Max(u => u.Id) + 1;
            foreach (MappedMessage mapped in accepted)
            {
                dispatcher.Enqueue(mapped, backlog);
            }

            await PruneAsync(cancellationToken);
        }
    }

    private async Task RunWebhookAsync(UpdateDispatcher dispatcher, CancellationToken cancellationToken)
    {
        TelegramWebhookOptions webhook = _options.Webhook;
        string secret = await ResolveSecretAsync(cancellationToken);
        byte[] secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(webhook.ListenUrl);
        await using WebApplication app = builder.Build();
        app.MapPost(webhook.Path, (Delegate)((HttpContext context) => HandleWebhookAsync(context, secretHash, dispatcher, cancellationToken)));
        await app.StartAsync(cancellationToken);
        try
        {
            string address = app.Urls.FirstOrDefault() ?? webhook.ListenUrl;
            status.WebhookAddress = address;
            Log.WebhookListening(logger, address, webhook.Path);

            string url = webhook.PublicUrl.TrimEnd('/') + webhook.Path;
            await WithRetryAsync(
                ct => client.SetWebhook(url: url, allowedUpdates: AllowedUpdates, secretToken: secret, cancellationToken: ct),
                cancellationToken);
            await CountWebhookBacklogAsync(cancellationToken);
            status.SetConnected(true);
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Learns how many updates still wait on Telegram's server for the webhook: the next that many deliveries are backlog
    /// (everything delivered before this answer is, too). Positions, not clocks, decide it.
    /// </summary>
    private async Task CountWebhookBacklogAsync(CancellationToken cancellationToken)
    {
        int pending = 0;
        try
        {
            WebhookInfo info = await client.GetWebhookInfo(cancellationToken);
            pending = info.PendingUpdateCount;
            Log.WebhookBacklog(logger, pending);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ApiRequestException { ErrorCode: 401 or 404 })
        {
            Log.WebhookInfoFailed(logger, ex);
        }

        Interlocked.Exchange(ref _webhookBacklog, pending);
    }

    private async Task<string> ResolveSecretAsync(CancellationToken cancellationToken)
    {
        if (_options.Webhook.SecretToken.Length > 0)
        {
            return _options.Webhook.SecretToken;
        }

        // Generated once and kept in the store, so a restart does not invalidate the webhook Telegram already has.
        string? stored = await journal.GetWebhookSecretAsync(cancellationToken);
        if (stored is not null && TelegramOptionsValidator.SecretPattern().IsMatch(stored))
        {
            return stored;
        }

        string secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await journal.SetWebhookSecretAsync(secret, cancellationToken);
        return secret;
    }

    private async Task<IResult> HandleWebhookAsync(HttpContext context, byte[] secretHash, UpdateDispatcher dispatcher, CancellationToken stoppingToken)
    {
        string? header = context.Request.Headers[SecretHeader];
        // Hashes of equal length: FixedTimeEquals returns at once on a length mismatch, which would leak the secret's length.
        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(header ?? ""));
        if (!CryptographicOperations.FixedTimeEquals(given, secretHash))
        {
            Log.WebhookRejected(logger, context.Connection.RemoteIpAddress?.ToString());
            return Results.Unauthorized();
        }

        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            string json = await reader.ReadToEndAsync(stoppingToken);
            Update? update = JsonSerializer.Deserialize<Update>(json, JsonBotAPI.Options);
            if (update is null)
            {
                return Results.BadRequest();
            }

            // Telegram delivers what waited on its server first: the first ones after the start are backlog.
            bool backlog = Volatile.Read(ref _webhookBacklog) > 0 && Interlocked.Decrement(ref _webhookBacklog) >= 0;

            // Persisted before the 200, so Telegram's delivery is never acknowledged for an update we could lose.
            if (await dispatcher.AcceptAsync(update, json, stoppingToken) is { } mapped)
            {
                dispatcher.Enqueue(mapped, backlog);
            }

            return Results.Ok();
        }
        catch (JsonException ex)
        {
            Log.WebhookBadRequest(logger, ex);
            return Results.BadRequest();
        }
    }

    private async Task WithRetryAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await call(cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ApiRequestException { ErrorCode: 401 or 404 })
            {
                TimeSpan delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Log.PollingFailed(logger, delay, ex);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
