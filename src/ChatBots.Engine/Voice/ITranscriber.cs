namespace ChatBots.Engine.Voice;

/// <summary>What the user wants done with speech.</summary>
public enum TranscriptionTask
{
    /// <summary>Text in the spoken language.</summary>
    Transcribe,

    /// <summary>English text, whatever was spoken.</summary>
    Translate,
}

/// <summary>A transcript and what the server reported about it.</summary>
/// <param name="Text">The recognised text.</param>
/// <param name="Model">The model that produced it.</param>
/// <param name="Duration">The audio duration the server reported, when it did.</param>
public sealed record Transcript(string Text, string Model, TimeSpan? Duration);

/// <summary>
/// Speech to text. The OpenAI implementation uploads the stream with the given file name unchanged. A refusal of the
/// audio itself (format, length, size, language hint) throws <see cref="AudioRejectedException"/>; any other failure
/// of the call throws <see cref="Models.ModelCallException"/>.
/// </summary>
public interface ITranscriber
{
    Task<Transcript> TranscribeAsync(Stream audio, string fileName, TranscriptionTask task, string? language, CancellationToken cancellationToken);
}
