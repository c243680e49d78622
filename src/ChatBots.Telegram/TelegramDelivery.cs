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

    public async Task<DeliveryResult> DeliverAsync(MappedMessage target, OutgoingReply reply, CancellationToken cancellationToken)
    {
        try
        {
            if (reply.Kind == ReplyKind.Answer)
            {
                foreach (string part in MessageSplitter.Split(reply.Text, MaxMessageLength))
                {
                    await SendFormattedAsync(target, part, MaxMessageLength, cancellationToken);
                }
            }
            else
            {
                foreach (string part in MessageSplitter.Split(reply.Text, MaxMessageLength))
                {
                    await SendAsync(target, part, ParseMode.None, cancellationToken);
                }
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

    private async Task SendFormattedAsync(MappedMessage target, string markdown, int limit, CancellationToken cancellationToken)
    {
        string html = TelegramHtml.FromMarkdown(markdown);
        if (TelegramHtml.PlainLength(html) > MaxMessageLength)
        {
            // Rare (the HTML's visible text is never longer than its Markdown), but never send an over-long part.
            foreach (string smaller in MessageSplitter.Split(markdown, limit * 3 / 4))
            {
                await SendFormattedAsync(target, smaller, limit * 3 / 4, cancellationToken);
            }

            return;
        }

        try
        {
            await SendAsync(target, html, ParseMode.Html, cancellationToken);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 400 && ex.Message.Contains("can't parse entities", StringComparison.OrdinalIgnoreCase))
        {
            Log.HtmlRejected(logger, target.ChatId, ex);
            await SendAsync(target, markdown, ParseMode.None, cancellationToken);
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
