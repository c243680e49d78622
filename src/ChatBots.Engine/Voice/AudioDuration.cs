namespace ChatBots.Engine.Voice;

/// <summary>
/// A duration read from a file, and the one rule every reader shares: a value taken from the file is believed only
/// when it is plausible, because a corrupt or crafted file can claim anything (a granule near <see cref="long.MaxValue"/>
/// overflows <see cref="TimeSpan"/>; zero would bill nothing). Public so the transcriber applies the same rule to what
/// a server reports.
/// </summary>
public static class AudioDuration
{
    /// <summary>Longer than any voice note; a file claiming more is treated as not knowing its duration.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(24);

    /// <summary>
    /// Opus and Vorbis (Ogg, WebM) at 256 kbit/s: voice is encoded at 16–64 kbit/s and transparent music at 128–192.
    /// Both codecs can go higher (Opus to 510 kbit/s), but such a file sent for transcription is rare and is only
    /// billed as if it played longer, never the reverse.
    /// </summary>
    internal const decimal OpusVorbisMaxBytesPerSecond = 32_000m;

    /// <summary>MP3 at 320 kbit/s, the highest bit rate of MPEG-1 Layer III.</summary>
    internal const decimal Mp3MaxBytesPerSecond = 40_000m;

    /// <summary>AAC at 320 kbit/s: what encoders offer at their top for stereo (iTunes and the stores use 256).</summary>
    internal const decimal AacMaxBytesPerSecond = 40_000m;

    /// <summary>Lossless audio of unknown layout: 48 kHz, 24-bit stereo PCM, which lossless codecs do not exceed.</summary>
    internal const decimal LosslessMaxBytesPerSecond = 288_000m;

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

    /// <summary>
    /// The least time a file this large can play for: its audio bytes over the highest bit rate the format is
    /// realistically encoded at (the PCM rate its header gives, for WAV, FLAC and lossless MP4). A duration field is a
    /// claim anyone can write, and the server bills what it hears; the size cannot be faked downwards. Null when the
    /// format gives no bound.
    /// </summary>
    public static TimeSpan? Shortest(string format, ReadOnlySpan<byte> file)
    {
        (long Bytes, decimal PerSecond)? audio = format switch
        {
            "ogg" or "webm" => (file.Length, OpusVorbisMaxBytesPerSecond),
            "mp3" => (file.Length, Mp3MaxBytesPerSecond),
            "m4a" => Mp4Duration.AudioBytes(file),
            "wav" => WavDuration.AudioBytes(file),
            "flac" => FlacDuration.AudioBytes(file),
            _ => null,
        };
        return audio is { PerSecond: > 0 } a ? Plausible(a.Bytes, (double)a.PerSecond) : null;
    }

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
