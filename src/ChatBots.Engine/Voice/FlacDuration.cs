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
}
