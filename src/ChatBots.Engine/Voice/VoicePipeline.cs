using System.Globalization;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Processing;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Voice;

/// <summary>The outcome of a voice note: the text to answer (null when nothing more is to be done).</summary>
public sealed record VoiceOutcome(string? TextToAnswer);

/// <summary>
/// Voice notes, the same for every platform: limits checked before downloading, duration from the metadata or the
/// file, cost checked against budgets with the worst case before the upload and recorded as a transcription entry,
/// transcripts cached by the platform's file id so a retried or forwarded note is not paid twice.
/// </summary>
public sealed partial class VoicePipeline
{
    private readonly ITranscriber _transcriber;
    private readonly IKeyValueStore _cache;
    private readonly ModelCatalogue _catalogue;
    private readonly LedgerRecorder _recorder;
    private readonly BudgetGuard _budgets;
    private readonly IOptionsMonitor<VoiceOptions> _options;
    private readonly IOptionsMonitor<ModelSelectionOptions> _models;
    private readonly IOptionsMonitor<AccessOptions> _access;
    private readonly TimeProvider _time;
    private readonly ILogger<VoicePipeline> _logger;

    public VoicePipeline(
        ITranscriber transcriber,
        IKeyValueStore cache,
        ModelCatalogue catalogue,
        LedgerRecorder recorder,
        BudgetGuard budgets,
        IOptionsMonitor<VoiceOptions> options,
        IOptionsMonitor<ModelSelectionOptions> models,
        IOptionsMonitor<AccessOptions> access,
        TimeProvider time,
        ILogger<VoicePipeline> logger)
    {
        _transcriber = transcriber;
        _cache = cache;
        _catalogue = catalogue;
        _recorder = recorder;
        _budgets = budgets;
        _options = options;
        _models = models;
        _access = access;
        _time = time;
        _logger = logger;
    }

    public async Task<VoiceOutcome> HandleAsync(IncomingMessage message, AudioAttachment audio, IReplySink sink, CancellationToken cancellationToken)
    {
        VoiceOptions options = _options.CurrentValue;
        ConversationKey key = message.Conversation;
        long platformLimit = key.Platform == Platform.Telegram ? Math.Min(options.TelegramMaxFileBytes, options.MaxFileBytes) : options.MaxFileBytes;
        if (audio.SizeBytes is { } size && size > platformLimit)
        {
            await NoticeAsync(sink, $"That audio file is {Megabytes(size)}; I can take at most {Megabytes(platformLimit)}.", cancellationToken);
            return new VoiceOutcome(null);
        }

        if (audio.Duration is { } declared && declared > options.MaxDuration)
        {
            await NoticeAsync(sink, TooLongText(declared, options.MaxDuration), cancellationToken);
            return new VoiceOutcome(null);
        }

        TranscriptionTask task = options.Mode == VoiceMode.Translate ? TranscriptionTask.Translate : TranscriptionTask.Transcribe;
        string modelId = task == TranscriptionTask.Translate ? _models.CurrentValue.TranslationModel : _models.CurrentValue.TranscriptionModel;
        // The translation endpoint takes no language: English comes out whatever was spoken.
        string? language = task == TranscriptionTask.Translate || string.IsNullOrWhiteSpace(options.Language) ? null : options.Language.Trim();
        string cacheKey = CacheKey(task, modelId, language, key.Platform, audio.UniqueId);
        string? transcript = await _cache.GetAsync(cacheKey, cancellationToken);
        if (transcript is null)
        {
            transcript = await TranscribeAsync(message, audio, task, modelId, language, platformLimit, sink, cancellationToken);
            if (transcript is null)
            {
                return new VoiceOutcome(null);
            }

            await _cache.SetAsync(cacheKey, transcript, cancellationToken);
        }
        else
        {
            LogCacheHit(_logger, key.ToString());
        }

        if (string.IsNullOrWhiteSpace(transcript))
        {
            await NoticeAsync(sink, "I could not hear any speech in that audio.", cancellationToken);
            return new VoiceOutcome(null);
        }

        await ReplyAsync(sink, TranscriptReply(task, transcript), ReplyKind.Transcript, cancellationToken);
        return options.Mode == VoiceMode.TranscribeAndAnswer ? new VoiceOutcome(transcript) : new VoiceOutcome(null);
    }

    /// <summary>The reply that shows the user what was heard (or, translated, what it means in English).</summary>
    internal static string TranscriptReply(TranscriptionTask task, string transcript) =>
        $"🎙 {(task == TranscriptionTask.Translate ? "Translation" : "Transcript")}: {transcript}";

    /// <summary>The user turn a voice note becomes: its caption (when it has one) and the speech are one turn.</summary>
    internal static string SpokenTurn(string? caption, string transcript) =>
        string.IsNullOrWhiteSpace(caption) ? transcript : caption.Trim() + "\n\n" + transcript;

    /// <summary>The transcript inside a user turn made by <see cref="SpokenTurn"/> (for a replay, which must not transcribe again).</summary>
    internal static string TranscriptOf(string? caption, string turnText)
    {
        if (string.IsNullOrWhiteSpace(caption))
        {
            return turnText;
        }

        string prefix = caption.Trim() + "\n\n";
        return turnText.StartsWith(prefix, StringComparison.Ordinal) ? turnText[prefix.Length..] : turnText;
    }

    /// <summary>
    /// The platform's unique file id is the identity; the task, model and language hint are part of the key because each
    /// changes the text, so a new model or hint is not answered from a transcript the old one made. (Entries cached under
    /// the earlier key, without model and language, are no longer read: such a note is transcribed once more.)
    /// </summary>
    internal static string CacheKey(TranscriptionTask task, string modelId, string? language, Platform platform, string uniqueId) =>
        string.Join(
            ':',
            "transcript",
            task.ToString().ToLowerInvariant(),
            modelId,
            language?.ToLowerInvariant() ?? "auto",
            platform.ToString().ToLowerInvariant(),
            uniqueId);

    private async Task<string?> TranscribeAsync(
        IncomingMessage message, AudioAttachment audio, TranscriptionTask task, string modelId, string? language, long limit, IReplySink sink, CancellationToken cancellationToken)
    {
        VoiceOptions options = _options.CurrentValue;
        ModelInfo model = _catalogue.Resolve(modelId);
        bool admin = AccessRules.IsAdmin(_access.CurrentValue, message.QualifiedAuthorId);

        // Before anything is downloaded: a used-up budget, or a declared duration that would cost more than is left.
        // Without a declared duration the comparison waits until the file is measured (below).
        if (!admin)
        {
            (MicroUsd? remaining, BudgetRefusal? refusal) = await _budgets.RemainingAsync(message.QualifiedAuthorId, message.Conversation, cancellationToken);
            if (refusal is not null)
            {
                await NoticeAsync(sink, refusal.ToUserMessage(_time.GetUtcNow()), cancellationToken);
                return null;
            }

            MicroUsd declaredCost = model.Prices.AudioCost(Seconds(audio.Duration ?? TimeSpan.Zero));
            if (audio.Duration is not null && remaining is { } left && declaredCost > left)
            {
                await NoticeAsync(sink, OverBudgetText(declaredCost, left), cancellationToken);
                return null;
            }
        }

        await sink.WorkStartedAsync(cancellationToken);
        byte[] bytes;
        try
        {
            bytes = await DownloadAsync(audio, limit, cancellationToken);
        }
        catch (AudioTooLargeException ex)
        {
            // The adapter's own limit (Telegram's 20 MB, Discord's 25 MB) or ours, whichever refused.
            LogTooLarge(_logger, message.Conversation.ToString(), ex.LimitBytes);
            await NoticeAsync(sink, $"That audio file is larger than the {Megabytes(ex.LimitBytes)} I can take.", cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDownloadFailed(_logger, message.Conversation.ToString(), ex);
            await NoticeAsync(sink, "I could not download that voice message. Please send it again.", cancellationToken);
            return null;
        }

        string? format = AudioFormat.Sniff(bytes);
        if (format is null)
        {
            await NoticeAsync(sink, "That file does not look like audio I can transcribe (ogg, mp3, m4a, wav, flac or webm).", cancellationToken);
            return null;
        }

        // The declared duration comes from the sender's client and the file's own from its header: either is a claim,
        // so the larger counts, and neither may be shorter than the file's size allows (a header claiming one second
        // on twenty megabytes would slip past the limit and be billed one second while the server bills all of it).
        TimeSpan? known = Longer(audio.Duration, AudioDuration.Measure(format, bytes));
        TimeSpan shortest = AudioDuration.Shortest(format, bytes) ?? TimeSpan.Zero;
        TimeSpan expected;
        bool estimated;
        string tooLong;
        if (known is { } length && length >= shortest)
        {
            expected = length;
            estimated = false;
            tooLong = TooLongText(length, options.MaxDuration);
        }
        else if (known is { } claimed)
        {
            LogClaimsTooShort(_logger, message.Conversation.ToString(), claimed.TotalSeconds, bytes.Length, shortest.TotalSeconds);
            expected = shortest;
            estimated = true;
            tooLong = $"That audio file is at least {Minutes(expected)} long, judging by its size; I transcribe at most {Minutes(options.MaxDuration)}.";
        }
        else
        {
            // Nothing knows the duration: estimate it from the size at a low bit rate for the format, uncapped, so a
            // long file is refused rather than uploaded (and billed in full by the server) while recorded as short.
            expected = Longer(TimeSpan.FromSeconds((double)(bytes.Length / BytesPerSecond(format))), shortest)!.Value;
            estimated = true;
            tooLong = $"That audio file looks about {Minutes(expected)} long (estimated from its size); I transcribe at most {Minutes(options.MaxDuration)}.";
        }

        if (expected > options.MaxDuration)
        {
            await NoticeAsync(sink, tooLong, cancellationToken);
            return null;
        }

        string fileName = FileName(audio.FileName, format);
        MicroUsd worst = model.Prices.AudioCost(Seconds(expected));
        IDisposable? reservation = null;
        if (!admin)
        {
            // The whole worst case must fit what is left (a transcription cannot be cut short like a reply), checked and
            // reserved in one step.
            (reservation, BudgetRefusal? refusal) = await _budgets.TryReserveAsync(message.QualifiedAuthorId, message.Conversation, worst, _ => worst, cancellationToken);
            if (refusal is not null)
            {
                string text = refusal.Needed is { } needed
                    ? OverBudgetText(needed, refusal.Budget.Limit - refusal.Spent)
                    : refusal.ToUserMessage(_time.GetUtcNow());
                await NoticeAsync(sink, text, cancellationToken);
                return null;
            }
        }

        Transcript transcript;
        using (reservation)
        {
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                transcript = await _transcriber.TranscribeAsync(stream, fileName, task, language, cancellationToken);
            }
            catch (AudioRejectedException ex)
            {
                LogRejected(_logger, message.Conversation.ToString(), fileName, ex.Reason.ToString(), ex);
                await NoticeAsync(sink, RejectedText(ex.Reason), cancellationToken);
                return null;
            }
            catch (ModelCallException ex) when (ex.Kind == ModelErrorKind.BadRequest)
            {
                // A transcriber that could not say why: the format is by far the likeliest cause.
                LogRejected(_logger, message.Conversation.ToString(), fileName, nameof(AudioRejection.UnsupportedFormat), ex);
                await NoticeAsync(sink, RejectedText(AudioRejection.UnsupportedFormat), cancellationToken);
                return null;
            }

            // Bill by duration: the server's report when it sends one (that is what the account is charged for), else
            // ours, else the size estimate (the row is marked estimated).
            TimeSpan billed = expected;
            if (AudioDuration.Plausible(transcript.Duration) is { } reported)
            {
                billed = reported;
                estimated = false;
            }

            // Priced by the model asked for (what the reservation used), as chat calls are; the reported id is kept.
            await _recorder.RecordTranscriptionAsync(
                message.Conversation, message.QualifiedAuthorId, model, transcript.Model, Math.Round(Seconds(billed), 3), estimated, CancellationToken.None);
        }

        return transcript.Text.Trim();
    }

    /// <summary>Reads the whole file, refusing once it passes <paramref name="limit"/> bytes (a size the platform did not declare).</summary>
    private static async Task<byte[]> DownloadAsync(AudioAttachment audio, long limit, CancellationToken cancellationToken)
    {
        await using Stream source = await audio.OpenAsync(cancellationToken);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81_920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new AudioTooLargeException(limit);
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return buffer.ToArray();
    }

    /// <summary>The upload's name must carry the real format's extension: servers recognise the format by it.</summary>
    private static string FileName(string declared, string format)
    {
        string stem = Path.GetFileNameWithoutExtension(declared);
        string extension = Path.GetExtension(declared).TrimStart('.').ToLowerInvariant();
        bool matches = extension == format || (format == "ogg" && extension is "oga" or "opus") || (format == "m4a" && extension is "mp4" or "m4a");
        return (string.IsNullOrWhiteSpace(stem) ? "voice" : stem) + "." + (matches && extension != "oga" && extension != "opus" ? extension : format);
    }

    /// <summary>
    /// Bytes per second at the low end of what voice is encoded at, for an estimate when nothing reports the duration:
    /// a low rate makes the estimate long, so an unknown file is over- rather than under-billed.
    /// </summary>
    private static decimal BytesPerSecond(string format) => format switch
    {
        "ogg" or "webm" => 3_000m, // Opus voice at 24 kbit/s
        "wav" => 16_000m, // 8 kHz 16-bit mono PCM
        "flac" => 16_000m,
        _ => 8_000m, // mp3 / AAC at 64 kbit/s
    };

    private static decimal Seconds(TimeSpan t) => (decimal)t.TotalSeconds;

    private static TimeSpan? Longer(TimeSpan? a, TimeSpan? b) => a is { } x && b is { } y ? (x > y ? x : y) : a ?? b;

    private static string TooLongText(TimeSpan length, TimeSpan limit) =>
        $"That voice message is {Minutes(length)} long; I transcribe at most {Minutes(limit)}.";

    private static string OverBudgetText(MicroUsd worst, MicroUsd left) =>
        $"Transcribing this would cost up to {worst}, more than the {left} left in your budget.";

    private static string RejectedText(AudioRejection reason) => reason switch
    {
        AudioRejection.TooLong => "The transcription server says that audio is too long for it. Please send a shorter one.",
        AudioRejection.TooLarge => "The transcription server says that file is too large. Please send a smaller one.",
        AudioRejection.InvalidLanguage => "The transcription server did not accept the configured language hint (Voice:Language). The owner has to fix it.",
        _ => "The transcription server could not read that audio format. Please send it as a voice message, or as an mp3 or m4a file.",
    };

    /// <summary>Notices never fail the pipeline: a note already transcribed and billed must not turn into an error.</summary>
    private Task NoticeAsync(IReplySink sink, string text, CancellationToken cancellationToken) =>
        ReplyAsync(sink, text, ReplyKind.Notice, cancellationToken);

    private async Task ReplyAsync(IReplySink sink, string text, ReplyKind kind, CancellationToken cancellationToken)
    {
        try
        {
            await sink.SendAsync(new OutgoingReply(text, kind), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoticeFailed(_logger, ex);
        }
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024d / 1024d:0.#} MB");

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s");

    [LoggerMessage(1201, LogLevel.Debug, "Transcript of a voice note in {Conversation} came from the cache")]
    private static partial void LogCacheHit(ILogger logger, string conversation);

    [LoggerMessage(1202, LogLevel.Warning, "Downloading a voice note in {Conversation} failed")]
    private static partial void LogDownloadFailed(ILogger logger, string conversation, Exception exception);

    [LoggerMessage(1203, LogLevel.Warning, "The transcription server rejected {FileName} from {Conversation}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string conversation, string fileName, string reason, Exception exception);

    [LoggerMessage(1204, LogLevel.Warning, "Delivering a voice reply failed")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception);

    [LoggerMessage(1205, LogLevel.Information, "A voice note in {Conversation} was refused: larger than {LimitBytes} bytes")]
    private static partial void LogTooLarge(ILogger logger, string conversation, long limitBytes);

    [LoggerMessage(1206, LogLevel.Information, "A voice note in {Conversation} claims {ClaimedSeconds} s, but its {Bytes} bytes play for at least {ShortestSeconds} s: that is what counts")]
    private static partial void LogClaimsTooShort(ILogger logger, string conversation, double claimedSeconds, long bytes, double shortestSeconds);
}
