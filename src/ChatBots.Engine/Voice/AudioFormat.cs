namespace ChatBots.Engine.Voice;

/// <summary>Recognises the audio containers the transcription API takes, by their first bytes.</summary>
public static class AudioFormat
{
    /// <summary>The file extension for the container the bytes start with (ogg, mp3, m4a, wav, flac, webm), or null when it is not audio we know.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("OggS"u8))
        {
            return "ogg";
        }

        if (head.StartsWith("ID3"u8) || (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0))
        {
            return "mp3";
        }

        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return "m4a";
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return "wav";
        }

        if (head.StartsWith("fLaC"u8))
        {
            return "flac";
        }

        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
        {
            return "webm";
        }

        return null;
    }
}
