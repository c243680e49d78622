using System.ClientModel;
using System.Text.Json;
using ChatBots.Engine.Voice;
using OpenAI.Audio;

namespace ChatBots.OpenAI;

/// <summary>
/// Speech to text over the SDK's <see cref="AudioClient"/>. The file name goes to the server unchanged: its extension
/// tells the server the format (.ogg for Telegram/Discord voice notes, .mp3, .m4a). A refusal of the audio itself
/// becomes <see cref="AudioRejectedException"/>; the duration the server reports (verbose <c>duration</c>, or the
/// <c>usage</c> of type <c>duration</c> that whisper-1 sends) comes back with the text, since that is what is billed.
/// </summary>
internal sealed class OpenAITranscriber(OpenAIClientProvider provider, OpenAIErrorTranslator translator) : ITranscriber
{
    public async Task<Transcript> TranscribeAsync(
        Stream audio, string fileName, TranscriptionTask task, string? language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

        bool translate = task == TranscriptionTask.Translate;
        string model = translate ? provider.Options.TranslationModel : provider.Options.TranscriptionModel;
        string operation = translate ? "audio translation" : "audio transcription";
        translator.ThrowIfNoCredentials(operation, model);

        // A retry re-sends the upload, which needs a stream that can rewind; voice notes are small (≤ 25 MB).
        Stream upload = audio;
        MemoryStream? buffered = null;
        if (!audio.CanSeek)
        {
            buffered = new MemoryStream();
            await audio.CopyToAsync(buffered, cancellationToken);
            buffered.Position = 0;
            upload = buffered;
        }

        try
        {
            AudioClient client = provider.Client.GetAudioClient(model);
            if (translate)
            {
                ClientResult<AudioTranslation> translated = await client.TranslateAudioAsync(upload, fileName, new AudioTranslationOptions(), cancellationToken);
                return new Transcript(translated.Value.Text ?? "", model, translated.Value.Duration ?? UsageDuration(translated));
            }

            var options = new AudioTranscriptionOptions();
            if (!string.IsNullOrWhiteSpace(language))
            {
                options.Language = language.Trim();
            }

            ClientResult<AudioTranscription> transcribed = await client.TranscribeAudioAsync(upload, fileName, options, cancellationToken);
            return new Transcript(transcribed.Value.Text ?? "", model, transcribed.Value.Duration ?? UsageDuration(transcribed));
        }
        catch (Exception ex) when (translator.TryTranslate(ex, operation, model, cancellationToken, out var translated))
        {
            throw (Exception?)AudioErrorClassifier.Classify(ex, translated) ?? translated;
        }
        finally
        {
            if (buffered is not null)
            {
                await buffered.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <c>usage: {"type": "duration", "seconds": n}</c>, which the SDK does not surface; null when absent or unreadable
    /// (gpt-4o transcription models report tokens instead).
    /// </summary>
    private static TimeSpan? UsageDuration(ClientResult result)
    {
        try
        {
            BinaryData? content = result.GetRawResponse()?.Content;
            if (content is null || content.IsEmpty)
            {
                return null;
            }

            using JsonDocument document = JsonDocument.Parse(content.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("usage", out JsonElement usage)
                && usage.ValueKind == JsonValueKind.Object
                && usage.TryGetProperty("type", out JsonElement type)
                && type.ValueKind == JsonValueKind.String
                && type.GetString() == "duration"
                && usage.TryGetProperty("seconds", out JsonElement seconds)
                && seconds.TryGetDouble(out double value)
                    ? AudioDuration.Plausible(value, perSecond: 1)
                    : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON (a text response format) or not buffered: the duration is simply not reported.
            return null;
        }
    }
}
