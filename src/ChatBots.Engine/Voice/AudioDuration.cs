namespace ChatBots.Engine.Voice;

/// <summary>
/// A duration read from a file, and the one rule every reader shares: a value taken from the file is believed only
/// when it is plausible, because a corrupt or crafted file can claim anything (a granule near <see cref="long.MaxValue"/>
/// overflows <see cref="TimeSpan"/>; zero would bill nothing).
/// </summary>
internal static class AudioDuration
{
    /// <summary>Longer than any voice note; a file claiming more is treated as not knowing its duration.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(24);

    /// <summary>The duration of <paramref name="format"/> (as <see cref="AudioFormat.Sniff"/> names it) read without decoding; null when unknown.</summary>
    public static TimeSpan? Measure(string format, ReadOnlySpan<byte> file) => format switch
    {
        "ogg" => OggOpusDuration.Read(file),
        "mp3" => Mp3Duration.Read(file),
        "m4a" => Mp4Duration.Read(file),
        "wav" => WavDuration.Read(file),
        "flac" => FlacDuration.Read(file),
        _ => null,
    };

    /// <summary><paramref name="units"/> over <paramref name="perSecond"/>, or null unless it is more than zero and at most a day.</summary>
    public static TimeSpan? Plausible(double units, double perSecond)
    {
        if (!(perSecond > 0))
        {
            return null;
        }

        double seconds = units / perSecond;
        return double.IsFinite(seconds) && seconds > 0 && seconds <= Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>Null unless more than zero and at most a day (a server's report goes through the same check).</summary>
    public static TimeSpan? Plausible(TimeSpan? duration) =>
        duration is { } d && d > TimeSpan.Zero && d <= Longest ? d : null;
}
