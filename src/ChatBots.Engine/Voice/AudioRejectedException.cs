namespace ChatBots.Engine.Voice;

/// <summary>
/// A transcription server refused the upload because of the audio (a 400 or 413 about the file), as opposed to a
/// failure of the call (<see cref="Models.ModelCallException"/>). The message is for logs; the pipeline words the reply
/// from <see cref="Reason"/>.
/// </summary>
public sealed class AudioRejectedException : Exception
{
    public AudioRejectedException(AudioRejection reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public AudioRejection Reason { get; }
}
