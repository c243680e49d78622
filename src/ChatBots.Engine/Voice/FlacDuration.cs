using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads a FLAC file's duration from its STREAMINFO block, which the format requires first: total samples (36 bits)
/// over the sample rate (20 bits). A total of zero means the encoder did not know it.
/// </summary>
internal static class FlacDuration
{
    public static TimeSpan? Read(ReadOnlySpan<byte> file)
    {
        // "fLaC", a 4-byte block header of type 0 (STREAMINFO), then 34 bytes of which bytes 10..17 hold the numbers.
        if (file.Length < 8 + 18 || !file.StartsWith("fLaC"u8) || (file[4] & 0x7F) != 0)
        {
            return null;
        }

        ReadOnlySpan<byte> info = file.Slice(8, 18);
        ulong packed = BinaryPrimitives.ReadUInt64BigEndian(info[10..]);
        uint sampleRate = (uint)(packed >> 44);
        ulong totalSamples = packed & 0xF_FFFF_FFFFUL;
        return totalSamples == 0 ? null : AudioDuration.Plausible(totalSamples, sampleRate);
    }

    /// <summary>
    /// The file's bytes and the PCM rate STREAMINFO describes (rate × channels × bits): FLAC compresses below it, so the
    /// file cannot play for less than its size over that rate. Null without a STREAMINFO.
    /// </summary>
    public static (long Bytes, decimal PerSecond)? AudioBytes(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8 + 18 || !file.StartsWith("fLaC"u8) || (file[4] & 0x7F) != 0)
        {
            return null;
        }

        ulong packed = BinaryPrimitives.ReadUInt64BigEndian(file.Slice(8, 18)[10..]);
        uint sampleRate = (uint)(packed >> 44);
        uint channels = (uint)((packed >> 41) & 0x7) + 1;
        uint bitsPerSample = (uint)((packed >> 36) & 0x1F) + 1;
        return sampleRate == 0 ? null : (file.Length, sampleRate * channels * bitsPerSample / 8m);
    }
}
