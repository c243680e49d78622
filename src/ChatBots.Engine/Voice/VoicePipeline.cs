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
            await NoticeAsync(sink, $"That voice message is {Minutes(declared)} long; I transcribe at most {Minutes(options.MaxDuration)}.", cancellationToken);
            return new VoiceOutcome(null);
        }

        TranscriptionTask task = options.Mode == VoiceMode.Translate ? TranscriptionTask.Translate : TranscriptionTask.Transcribe;
        string cacheKey = $"transcript:{task.ToString().ToLowerInvariant()}:{key.Platform.ToString().ToLowerInvariant()}:{audio.UniqueId}";
        string? transcript = await _cache.GetAsync(cacheKey, cancellationToken);
        if (transcript is null)
        {
            transcript = await TranscribeAsync(message, audio, task, platformLimit, sink, cancellationToken);
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

        string label = task == TranscriptionTask.Translate ? "Translation" : "Transcript";
        await sink.SendAsync(new OutgoingReply($"🎙 {label}: {transcript}", ReplyKind.Transcript), cancellationToken);
        return options.Mode == VoiceMode.TranscribeAndAnswer ? new VoiceOutcome(transcript) : new VoiceOutcome(null);
    }

    private async Task<string?> TranscribeAsync(IncomingMessage message, AudioAttachment audio, TranscriptionTask task, long limit, IReplySink sink, CancellationToken cancellationToken)
    {
        VoiceOptions options = _options.CurrentValue;
        string modelId = task == TranscriptionTask.Translate ? _models.CurrentValue.TranslationModel : _models.CurrentValue.TranscriptionModel;
        ModelInfo model = _catalogue.Resolve(modelId);
        bool admin = _access.CurrentValue.Admins.Contains(message.QualifiedAuthorId, StringComparer.OrdinalIgnoreCase);

        // Worst case before anything is downloaded: the declared duration, else the longest we accept.
        TimeSpan worstDuration = audio.Duration ?? options.MaxDuration;
        if (!admin)
        {
            (MicroUsd? remaining, BudgetRefusal? refusal) = await _budgets.RemainingAsync(message.QualifiedAuthorId, message.Conversation, cancellationToken);
            if (refusal is not null)
            {
                await NoticeAsync(sink, refusal.ToUserMessage(_time.GetUtcNow()), cancellationToken);
                return null;
            }

            MicroUsd worst = model.Prices.AudioCost((decimal)worstDuration.TotalSeconds);
            if (remaining is { } left && worst > left && audio.Duration is not null)
            {
                await NoticeAsync(sink, $"Transcribing this would cost up to {worst}, more than the {left} left in your budget.", cancellationToken);
                return null;
            }
        }

        await sink.WorkStartedAsync(cancellationToken);
        byte[] bytes;
        try
        {
            bytes = await DownloadAsync(audio, limit, cancellationToken);
        }
        catch (AudioTooLargeException)
        {
            await NoticeAsync(sink, $"That audio file is larger than the {Megabytes(limit)} I can take.", cancellationToken);
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

        TimeSpan? duration = audio.Duration ?? (format == "ogg" ? OggOpusDuration.Read(bytes) : null);
        if (duration is { } measured && measured > options.MaxDuration)
        {
            await NoticeAsync(sink, $"That voice message is {Minutes(measured)} long; I transcribe at most {Minutes(options.MaxDuration)}.", cancellationToken);
            return null;
        }

        string fileName = FileName(audio.FileName, format);
        Transcript transcript;
        using (var reservation = admin ? null : _budgets.Reserve(message.QualifiedAuthorId, message.Conversation, model.Prices.AudioCost((decimal)(duration ?? worstDuration).TotalSeconds)))
        {
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                string? language = string.IsNullOrWhiteSpace(options.Language) ? null : options.Language;
                transcript = await _transcriber.TranscribeAsync(stream, fileName, task, language, cancellationToken);
            }
            catch (ModelCallException ex) when (ex.Kind == ModelErrorKind.BadRequest)
            {
                LogRejected(_logger, message.Conversation.ToString(), fileName, ex);
                await NoticeAsync(sink, "The transcription server could not read that audio format.", cancellationToken);
                return null;
            }

            // Bill by duration: ours, else the server's, else an estimate at 16 kbit/s (Opus voice is about that).
            TimeSpan? billed = duration ?? transcript.Duration;
            decimal seconds = billed is { } d ? (decimal)d.TotalSeconds : Math.Round(bytes.Length / 2_000m, 3);
            await _recorder.RecordTranscriptionAsync(message.Conversation, message.QualifiedAuthorId, _catalogue.Resolve(transcript.Model.Length > 0 ? transcript.Model : modelId), Math.Round(seconds, 3), billed is null, cancellationToken);
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
                throw new AudioTooLargeException();
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

    private static Task NoticeAsync(IReplySink sink, string text, CancellationToken cancellationToken) =>
        sink.SendAsync(new OutgoingReply(text, ReplyKind.Notice), cancellationToken).AsTask();

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024d / 1024d:0.#} MB");

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s");

    [LoggerMessage(1201, LogLevel.Debug, "Transcript of a voice note in {Conversation} came from the cache")]
    private static partial void LogCacheHit(ILogger logger, string conversation);

    [LoggerMessage(1202, LogLevel.Warning, "Downloading a voice note in {Conversation} failed")]
    private static partial void LogDownloadFailed(ILogger logger, string conversation, Exception exception);

    [LoggerMessage(1203, LogLevel.Warning, "The transcription server rejected {FileName} from {Conversation}")]
    private static partial void LogRejected(ILogger logger, string conversation, string fileName, Exception exception);

    private sealed class AudioTooLargeException : Exception
    {
    }
}
