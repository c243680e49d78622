namespace ChatBots.Engine.Voice;

/// <summary>
/// An audio file is larger than a platform or the pipeline allows. Adapters throw it from a download they refuse (a
/// size check, or a body that grew past the limit), so the user hears the size limit rather than "send it again".
/// </summary>
public sealed class AudioTooLargeException : Exception
{
    public AudioTooLargeException(long limitBytes, string? message = null, Exception? innerException = null)
        : base(message ?? $"The audio file is larger than the {limitBytes}-byte limit.", innerException)
    {
        LimitBytes = limitBytes;
    }

    /// <summary>The limit the file broke, in bytes; the refusal tells the user this number.</summary>
    public long LimitBytes { get; }
}
