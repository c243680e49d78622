namespace ChatBots.Engine.Voice;

/// <summary>Why a transcription server refused the audio itself, as far as the user can act on it.</summary>
public enum AudioRejection
{
    /// <summary>The server could not read the format (or the file is damaged); also any 400 it did not explain.</summary>
    UnsupportedFormat,

    /// <summary>The audio is longer than the model accepts.</summary>
    TooLong,

    /// <summary>The file is larger than the server accepts.</summary>
    TooLarge,

    /// <summary>The configured language hint is not one the server knows (an operator's fix).</summary>
    InvalidLanguage,
}
