using ChatBots.Engine.Voice;
using OpenAI.Audio;

namespace ChatBots.OpenAI;

/// <summary>
/// Speech to text over the SDK's <see cref="AudioClient"/>. The file name goes to the server unchanged: its extension
/// tells the server the format (.ogg for Telegram/Discord voice notes, .mp3, .m4a).
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
                AudioTranslation translation = (await client.TranslateAudioAsync(upload, fileName, new AudioTranslationOptions(), cancellationToken)).Value;
                return new Transcript(translation.Text ?? "", model, translation.Duration);
            }

            var options = new AudioTranscriptionOptions();
            if (!string.IsNullOrWhiteSpace(language))
            {
                options.Language = language.Trim();
            }

            AudioTranscription transcription = (await client.TranscribeAudioAsync(upload, fileName, options, cancellationToken)).Value;
            return new Transcript(transcription.Text ?? "", model, transcription.Duration);
        }
        catch (Exception ex) when (translator.TryTranslate(ex, operation, model, cancellationToken, out var translated))
        {
            throw translated;
        }
        finally
        {
            if (buffered is not null)
            {
                await buffered.DisposeAsync();
            }
        }
    }
}
