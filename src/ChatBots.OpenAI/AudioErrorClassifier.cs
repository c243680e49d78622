using System.ClientModel;
using ChatBots.Engine.Models;
using ChatBots.Engine.Voice;

namespace ChatBots.OpenAI;

/// <summary>
/// Tells a refusal of the audio itself from other failed calls, by the status and the server's error message, so the
/// user hears what was wrong with the file. OpenAI answers a bad file, an over-long one and a bad language hint all
/// with 400 <c>invalid_request_error</c>; only the message differs ("Invalid file format…", "audio duration … is longer
/// than … seconds…", "Invalid language…"). A 400 none of these explain is taken as a format problem, the likeliest.
/// </summary>
internal static class AudioErrorClassifier
{
    /// <summary>The rejection <paramref name="translated"/> is, or null when it is not about the audio.</summary>
    public static AudioRejectedException? Classify(Exception original, ModelCallException translated)
    {
        if (translated.Kind != ModelErrorKind.BadRequest)
        {
            return null;
        }

        string message = ServerMessage(original) ?? "";
        AudioRejection reason = translated.Status == 413 || ContainsAny(message, "too large", "content size", "file size", "maximum size")
            ? AudioRejection.TooLarge
            : ContainsAny(message, "duration", "too long", "longer than")
                ? AudioRejection.TooLong
                : ContainsAny(message, "language")
                    ? AudioRejection.InvalidLanguage
                    : AudioRejection.UnsupportedFormat;
        return new AudioRejectedException(reason, translated.Message, translated);
    }

    private static string? ServerMessage(Exception exception)
    {
        // The retry policy aggregates the tries; the last one is the answer that stood.
        if (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            exception = aggregate.InnerExceptions[^1];
        }

        if (exception is not ClientResultException result)
        {
            return null;
        }

        try
        {
            return OpenAIErrorBody.Parse(result.GetRawResponse()?.Content).Message;
        }
        catch (InvalidOperationException)
        {
            // The body was not buffered; the status alone has to do.
            return null;
        }
    }

    private static bool ContainsAny(string text, params string[] parts) =>
        parts.Any(p => text.Contains(p, StringComparison.OrdinalIgnoreCase));
}
