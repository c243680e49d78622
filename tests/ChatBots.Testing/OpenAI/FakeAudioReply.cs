namespace ChatBots.Testing.OpenAI;

/// <summary>One scripted answer of the fake to <c>/v1/audio/transcriptions</c> or <c>/v1/audio/translations</c>.</summary>
public sealed record FakeAudioReply
{
    public string Text { get; init; } = "";

    /// <summary>Reported as <c>duration</c> (seconds) when set, as verbose whisper answers do.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Reported as <c>usage: {"type": "duration", "seconds": n}</c> when set, as whisper-1 does in plain JSON answers.</summary>
    public double? UsageSeconds { get; init; }

    public FakeOpenAIError? Error { get; init; }

    public Task? Gate { get; init; }

    public static FakeAudioReply WithText(string text, TimeSpan? duration = null) => new() { Text = text, Duration = duration };

    public static FakeAudioReply Fail(FakeOpenAIError error) => new() { Error = error };

    public static FakeAudioReply UnsupportedFormat() => Fail(FakeOpenAIError.UnsupportedAudioFormat());

    public static FakeAudioReply TooLong(double seconds = 1510.5, int maximum = 1500) => Fail(FakeOpenAIError.AudioTooLong(seconds, maximum));
}
