using ChatBots.Engine.Conversations;
using ChatBots.Engine.Text;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ChatBots.Telegram;

/// <summary>The outcome of delivering one reply.</summary>
internal enum DeliveryResult
{
    /// <summary>Every part arrived.</summary>
    Delivered,

    /// <summary>Telegram refused for good (bot blocked or kicked, bad request): retrying would not help.</summary>
    Refused,

    /// <summary>A transient failure outlasted the retries, or the adapter stopped: the update should be replayed.</summary>
    Failed,
}

/// <summary>
/// Turns one reply into Telegram messages: splits under the 4096 limit, formats model Markdown as HTML (falling back
/// to plain text when Telegram rejects the markup), replies to the triggering message in its topic, through the chat's queue.
/// </summary>
internal sealed partial class TelegramDelivery(ITelegramBotClient client, TelegramOutbox outbox, ILogger<TelegramDelivery> logger)
{
    internal const int MaxMessageLength = 4096;

    /// <summary>
    /// Sends the reply's parts in order, skipping those <paramref name="parts"/> says the user already has, and records
    /// each part as it arrives.
    /// </summary>
    public async Task<DeliveryResult> DeliverAsync(MappedMessage target, OutgoingReply reply, DeliveredParts parts, CancellationToken cancellationToken)
    {
        try
        {
            foreach (Part part in Parts(reply))
            {
                if (parts.NextIsDelivered(reply.Kind))
                {
                    // Delivered by an earlier attempt at this update (before a shutdown or a failed send).
                    continue;
                }

                await SendPartAsync(target, part, cancellationToken);
                await parts.MarkDeliveredAsync(reply.Kind);
            }

            return DeliveryResult.Delivered;
        }
        catch (OperationCanceledException)
        {
            return DeliveryResult.Failed;
        }
        catch (ApiRequestException ex) when (ex.ErrorCode is >= 400 and < 500 and not 429)
        {
            Log.ReplyRefused(logger, target.ChatId, ex.ErrorCode, ex);
            return DeliveryResult.Refused;
        }
        catch (Exception ex)
        {
            Log.ReplyFailed(logger, target.ChatId, ex);
            return DeliveryResult.Failed;
        }
    }

    /// <summary>
    /// The messages a reply becomes, always the same for the same reply (a replay skips parts by position): answers are
    /// model Markdown, sent as HTML with the Markdown as the plain-text fallback; everything else is plain text.
    /// </summary>
    internal static IEnumerable<Part> Parts(OutgoingReply reply)
    {
        if (reply.Kind == ReplyKind.Answer)
        {
            return FormattedParts(reply.Text, MaxMessageLength);
        }

        return MessageSplitter.Split(reply.Text, MaxMessageLength).Select(p => new Part(p, ParseMode.None, null));
    }

    private static IEnumerable<Part> FormattedParts(string markdown, int limit)
    {
        foreach (string part in MessageSplitter.Split(markdown, limit))
        {
            string html = TelegramHtml.FromMarkdown(part);
            if (TelegramHtml.PlainLength(html) > MaxMessageLength)
            {
                // Rare (the HTML's visible text is never longer than its Markdown), but never send an over-long part.
                foreach (Part smaller in FormattedParts(part, limit * 3 / 4))
                {
                    yield return smaller;
                }

                continue;
            }

            yield return new Part(html, ParseMode.Html, part);
        }
    }

    private async Task SendPartAsync(MappedMessage target, Part part, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(target, part.Text, part.ParseMode, cancellationToken);
        }
        catch (ApiRequestException ex) when (part.PlainFallback is not null && ex.ErrorCode == 400 && ex.Message.Contains("can't parse entities", StringComparison.OrdinalIgnoreCase))
        {
            Log.HtmlRejected(logger, target.ChatId, ex);
            await SendAsync(target, part.PlainFallback, ParseMode.None, cancellationToken);
        }
    }

    private async Task<Message> SendAsync(MappedMessage target, string text, ParseMode parseMode, CancellationToken cancellationToken)
    {
        try
        {
            return await SendToAsync(target.ChatId, target, text, parseMode, cancellationToken);
        }
        catch (ApiRequestException ex) when (ex.Parameters?.MigrateToChatId is { } newChatId)
        {
            // The group became a supergroup with a new id: the same message goes there.
            Log.ChatMigrated(logger, target.ChatId, newChatId);
            return await SendToAsync(newChatId, target, text, parseMode, cancellationToken);
        }
    }

    private Task<Message> SendToAsync(long chatId, MappedMessage target, string text, ParseMode parseMode, CancellationToken cancellationToken) =>
        outbox.SendAsync(
            chatId,
            ct => client.SendMessage(
                chatId: chatId,
                text: text,
                parseMode: parseMode,
                replyParameters: new ReplyParameters { MessageId = target.ReplyToMessageId, AllowSendingWithoutReply = true },
                linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
                messageThreadId: target.TopicThreadId,
                cancellationToken: ct),
            cancellationToken);

    /// <summary>Shows "typing…"; failures never fail a reply.</summary>
    public async Task SendTypingAsync(MappedMessage target, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendChatAction(chatId: target.ChatId, action: ChatAction.Typing, messageThreadId: target.TopicThreadId, cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Typing is cosmetic: a throttled or failed chat action must never affect the answer.
            Log.TypingFailed(logger, target.ChatId, ex);
        }
    }
}
