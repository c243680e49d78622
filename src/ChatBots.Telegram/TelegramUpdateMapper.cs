using System.Globalization;
using System.Text;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Voice;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ChatBots.Telegram;

/// <summary>
/// Decides whether an update is for the bot and maps it to the engine's shape. Private chats always; groups when the
/// bot is mentioned (<c>mention</c> or <c>text_mention</c>), replied to, or commanded (<c>/cmd@thisbot</c>, or a bare
/// <c>/cmd</c> that is one of the engine's commands), or every message when configured. Other bots, edited messages and
/// messages without text or audio are ignored.
/// </summary>
/// <param name="bot">Who the bot is (from getMe).</param>
/// <param name="options">The adapter's settings.</param>
/// <param name="client">Downloads voice notes.</param>
/// <param name="commands">The engine's command names (without the slash).</param>
/// <param name="maxFileBytes">The largest file to download (<c>Voice:TelegramMaxFileBytes</c>), read when a file is fetched.</param>
internal sealed class TelegramUpdateMapper(
    BotIdentity bot,
    TelegramOptions options,
    ITelegramBotClient client,
    IEnumerable<string> commands,
    Func<long> maxFileBytes)
{
    /// <summary>The public Bot API serves bots files of at most 20 MB, whatever Voice:TelegramMaxFileBytes says.</summary>
    internal const long PublicApiMaxBytes = 20 * 1024 * 1024;

    private readonly HashSet<string> _commands = new(commands, StringComparer.OrdinalIgnoreCase);

    private bool IsPublicApi => string.Equals(options.ApiBaseUrl.TrimEnd('/'), TelegramOptions.DefaultApiBaseUrl, StringComparison.OrdinalIgnoreCase);

    /// <summary>The mapped message, or null when the update is not for the bot.</summary>
    public MappedMessage? Map(Update update)
    {
        // Only new messages: edits, channel posts and everything else are not conversation turns.
        if (update.Message is not { } message)
        {
            return null;
        }

        if (message.From?.IsBot == true && message.SenderChat is null)
        {
            return null;
        }

        bool isGroup = message.Chat.Type is ChatType.Group or ChatType.Supergroup;
        if (!isGroup && message.Chat.Type != ChatType.Private)
        {
            return null;
        }

        string text = message.Text ?? message.Caption ?? "";
        MessageEntity[] entities = (message.Text is not null ? message.Entities : message.CaptionEntities) ?? [];
        AudioAttachment? audio = MapAudio(message);
        if (string.IsNullOrWhiteSpace(text) && audio is null)
        {
            return null;
        }

        bool addressed = !isGroup || options.AnswerAllInGroups || message.ReplyToMessage?.From?.Id == bot.Id;
        var removals = new List<(int Offset, int Length, string Replacement)>();
        foreach (MessageEntity entity in entities)
        {
            if (entity.Offset < 0 || entity.Offset + entity.Length > text.Length)
            {
                continue;
            }

            string value = text.Substring(entity.Offset, entity.Length);
            switch (entity.Type)
            {
                case MessageEntityType.Mention when string.Equals(value, "@" + bot.Username, StringComparison.OrdinalIgnoreCase):
                    addressed = true;
                    removals.Add((entity.Offset, entity.Length, ""));
                    break;
                case MessageEntityType.TextMention when entity.User?.Id == bot.Id:
                    addressed = true;
                    removals.Add((entity.Offset, entity.Length, ""));
                    break;
                case MessageEntityType.BotCommand:
                    int at = value.IndexOf('@', StringComparison.Ordinal);
                    if (at < 0)
                    {
                        // A bare "/start" in a group with several bots may be for any of them: only ours count.
                        addressed |= entity.Offset == 0 && _commands.Contains(value[1..]);
                    }
                    else if (string.Equals(value[(at + 1)..], bot.Username, StringComparison.OrdinalIgnoreCase))
                    {
                        addressed = true;
                        removals.Add((entity.Offset, entity.Length, value[..at]));
                    }
                    else if (entity.Offset == 0)
                    {
                        // "/cmd@otherbot" is for another bot, whatever else the message contains.
                        return null;
                    }

                    break;
            }
        }

        if (!addressed)
        {
            return null;
        }

        string cleaned = Clean(text, removals);
        if (cleaned.Length == 0 && audio is null)
        {
            return null;
        }

        int? topic = message.IsTopicMessage ? message.MessageThreadId : null;
        (string authorId, string authorName) = Author(message);
        string? threadId = topic?.ToString(CultureInfo.InvariantCulture);
        bool sharedHistory = isGroup;
        if (isGroup && options.HistoryPerUserInGroups)
        {
            threadId = $"{threadId ?? "-"}:u{authorId}";
            sharedHistory = false;
        }

        string messageId = message.Id.ToString(CultureInfo.InvariantCulture);
        var incoming = new IncomingMessage(
            new ConversationKey(Platform.Telegram, message.Chat.Id.ToString(CultureInfo.InvariantCulture), threadId),
            authorId,
            authorName,
            cleaned)
        {
            MessageId = messageId,
            ReplyToMessageId = messageId,
            IsGroup = sharedHistory,
            Audio = audio,
        };
        // message.Date is Telegram's clock: whether an update is backlog is decided by its position, never by its date.
        return new MappedMessage(update.Id, incoming, message.Chat.Id, topic, message.Id);
    }

    private static string Clean(string text, List<(int Offset, int Length, string Replacement)> removals)
    {
        if (removals.Count == 0)
        {
            return text.Trim();
        }

        var sb = new StringBuilder(text);
        foreach ((int offset, int length, string replacement) in removals.OrderByDescending(r => r.Offset))
        {
            sb.Remove(offset, length).Insert(offset, replacement);
            if (replacement.Length == 0)
            {
                CloseGap(sb, offset);
            }
        }

        // "@bot, what is…" leaves a leading comma or colon behind.
        return sb.ToString().Trim().TrimStart(',', ':', ';').Trim();
    }

    /// <summary>
    /// Closes the gap a removed mention leaves at <paramref name="at"/>, and only there (the user's own spacing, code
    /// indentation included, stays): "hey @bot, what" becomes "hey, what", "ask @bot now" becomes "ask now".
    /// </summary>
    private static void CloseGap(StringBuilder text, int at)
    {
        int left = at;
        while (left > 0 && IsSpace(text[left - 1]))
        {
            left--;
        }

        int right = at;
        while (right < text.Length && IsSpace(text[right]))
        {
            right++;
        }

        if (left == right)
        {
            return;
        }

        bool lineStart = left == 0 || text[left - 1] is '\n' or '\r';
        bool lineEnd = right == text.Length || text[right] is '\n' or '\r' or ',' or '.' or '!' or '?' or ';' or ':' or ')';
        if (lineEnd)
        {
            // Nothing belongs before a line end or punctuation: "hey , what" and "time ?" lose the space.
            text.Remove(left, right - left);
        }
        else if (lineStart)
        {
            text.Remove(at, right - at);
        }
        else
        {
            // Between two words: one space.
            text.Remove(left, right - left).Insert(left, ' ');
        }
    }

    private static bool IsSpace(char c) => c is not '\n' and not '\r' && char.IsWhiteSpace(c);

    private static (string Id, string Name) Author(Message message)
    {
        // Anonymous admins and linked channels post "on behalf of" a chat; the from field is a placeholder then.
        if (message.SenderChat is { } chat)
        {
            string name = chat.Title ?? chat.Username ?? chat.Id.ToString(CultureInfo.InvariantCulture);
            return (chat.Id.ToString(CultureInfo.InvariantCulture), name);
        }

        User? from = message.From;
        if (from is null)
        {
            return (message.Chat.Id.ToString(CultureInfo.InvariantCulture), message.Chat.Title ?? "unknown");
        }

        string full = $"{from.FirstName} {from.LastName}".Trim();
        return (from.Id.ToString(CultureInfo.InvariantCulture), full.Length > 0 ? full : from.Username ?? from.Id.ToString(CultureInfo.InvariantCulture));
    }

    private AudioAttachment? MapAudio(Message message)
    {
        if (message.Voice is { } voice)
        {
            return Attachment(voice.FileId, voice.FileUniqueId, "voice.ogg", voice.MimeType ?? "audio/ogg", voice.FileSize, voice.Duration);
        }

        if (message.Audio is { } audio)
        {
            return Attachment(audio.FileId, audio.FileUniqueId, FileName(audio.FileName, audio.MimeType, "audio"), audio.MimeType, audio.FileSize, audio.Duration);
        }

        if (message.VideoNote is { } note)
        {
            return Attachment(note.FileId, note.FileUniqueId, "video_note.mp4", "video/mp4", note.FileSize, note.Duration);
        }

        if (message.Document is { MimeType: { } mime } document && mime.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
        {
            return Attachment(document.FileId, document.FileUniqueId, FileName(document.FileName, mime, "audio"), mime, document.FileSize, null);
        }

        return null;
    }

    private AudioAttachment Attachment(string fileId, string uniqueId, string fileName, string? mime, long? size, int? seconds) =>
        new(uniqueId, fileName, mime, size, seconds is { } s ? TimeSpan.FromSeconds(s) : null, ct => DownloadAsync(fileId, size, ct));

    /// <summary>Voice:TelegramMaxFileBytes, never more than the public Bot API's 20 MB through it; a local Bot API server has no such cap.</summary>
    private long MaxDownloadBytes => IsPublicApi ? Math.Min(maxFileBytes(), PublicApiMaxBytes) : maxFileBytes();

    private async Task<Stream> DownloadAsync(string fileId, long? size, CancellationToken cancellationToken)
    {
        long limit = MaxDownloadBytes;
        if (size > limit)
        {
            throw TooLarge(limit);
        }

        TGFile file = await client.GetFile(fileId, cancellationToken);
        if (file.FileSize > limit)
        {
            throw TooLarge(limit);
        }

        if (!IsPublicApi && OpenLocalFile(file.FilePath) is { } local)
        {
            if (local.Length > limit)
            {
                await local.DisposeAsync();
                throw TooLarge(limit);
            }

            return local;
        }

        // A declared size can be missing or wrong: the read itself stops at the limit.
        var buffer = new CappedMemoryStream(limit, TooLargeMessage(limit));
        try
        {
            await client.DownloadFile(file.FilePath!, buffer, cancellationToken);
        }
        catch (Exception ex) when (buffer.Exceeded && ex is not AudioTooLargeException)
        {
            // The client wrapped the refusal: the caller must still hear "too large", not "download failed".
            await buffer.DisposeAsync();
            throw buffer.TooLarge();
        }
        catch
        {
            await buffer.DisposeAsync();
            throw;
        }

        buffer.Position = 0;
        return buffer;
    }

    private AudioTooLargeException TooLarge(long limit) => new(limit, TooLargeMessage(limit));

    private string TooLargeMessage(long limit) => IsPublicApi && limit == PublicApiMaxBytes
        ? "Telegram lets bots download files of at most 20 MB."
        : string.Create(CultureInfo.InvariantCulture, $"Telegram files are downloaded only up to {limit} bytes ({limit / (1024.0 * 1024.0):0.#} MB, Voice:TelegramMaxFileBytes{(IsPublicApi ? "; the public Bot API allows 20 MB" : "")}).");

    /// <summary>
    /// A local Bot API server (<c>telegram-bot-api --local</c>) answers getFile with an absolute path on its own disk
    /// and serves no download: read the file there when this process can (same machine, or a shared volume).
    /// </summary>
    private static FileStream? OpenLocalFile(string? path)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
        {
            return null;
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81_920, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not readable from here (the server runs elsewhere): try the HTTP route.
            return null;
        }
    }

    /// <summary>A file name whose extension names the real format, which transcription services go by.</summary>
    internal static string FileName(string? name, string? mime, string stem)
    {
        if (!string.IsNullOrWhiteSpace(name) && Path.HasExtension(name))
        {
            return Path.GetFileName(name);
        }

        string baseName = string.IsNullOrWhiteSpace(name) ? stem : Path.GetFileName(name);
        string subtype = mime is null ? "" : mime[(mime.IndexOf('/', StringComparison.Ordinal) + 1)..].ToLowerInvariant();
        int semicolon = subtype.IndexOf(';', StringComparison.Ordinal);
        subtype = semicolon >= 0 ? subtype[..semicolon].Trim() : subtype;
        if (subtype.StartsWith("x-", StringComparison.Ordinal))
        {
            subtype = subtype[2..];
        }

        string extension = subtype switch
        {
            "mpeg" or "mp3" or "mpeg3" => "mp3",
            "mp4" or "m4a" or "aac" => "m4a",
            "ogg" or "opus" or "vorbis" => "ogg",
            "wav" or "wave" or "vnd.wave" => "wav",
            "webm" => "webm",
            "flac" => "flac",
            "" => "ogg",
            _ => subtype,
        };
        return $"{baseName}.{extension}";
    }
}
