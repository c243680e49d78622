using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads a RIFF/WAVE file's duration from its chunks: the <c>data</c> chunk's size over the <c>fmt </c> chunk's byte
/// rate. Chunks are walked rather than assuming a 44-byte header, since many writers add <c>LIST</c> or <c>fact</c>
/// chunks first. A data size larger than the file (streamed writers leave it at its maximum) counts what is there.
/// </summary>
internal static class WavDuration
{
    public static TimeSpan? Read(ReadOnlySpan<byte> file) =>
        Find(file) is { ByteRate: > 0 } wav ? AudioDuration.Plausible(Math.Min(wav.DataSize, file.Length - wav.DataStart), wav.ByteRate) : null;

    /// <summary>
    /// The bytes from the data chunk to the end of the file, and the rate a decoder plays them at: for PCM the sample
    /// rate × block align (decoders compute it so, whatever the header's byte-rate field says), else that field.
    /// </summary>
    public static (long Bytes, decimal PerSecond)? AudioBytes(ReadOnlySpan<byte> file)
    {
        if (Find(file) is not { } wav)
        {
            return null;
        }

        bool pcm = wav.FormatTag is 1 or 3 or 0xFFFE && wav.SampleRate > 0 && wav.BlockAlign > 0;
        decimal rate = pcm ? (decimal)wav.SampleRate * wav.BlockAlign : wav.ByteRate;
        return rate > 0 ? (file.Length - wav.DataStart, rate) : null;
    }

    /// <summary>The <c>fmt </c> fields and where the <c>data</c> chunk starts; null when either is missing.</summary>
    private static WavLayout? Find(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file.StartsWith("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        ushort formatTag = 0;
        ushort blockAlign = 0;
        uint sampleRate = 0;
        uint byteRate = 0;
        bool format = false;
        int offset = 12;
        while (offset + 8 <= file.Length)
        {
            ReadOnlySpan<byte> id = file.Slice(offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            int start = offset + 8;
            long available = file.Length - start;
            if (id.SequenceEqual("fmt "u8) && size >= 16 && available >= 16)
            {
                formatTag = BinaryPrimitives.ReadUInt16LittleEndian(file[start..]);
                sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(file[(start + 4)..]);
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(file[(start + 8)..]);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(file[(start + 12)..]);
                format = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                return format ? new WavLayout(formatTag, sampleRate, byteRate, blockAlign, start, size) : null;
            }

            // Chunks are padded to an even size.
            long next = start + (long)size + (size & 1);
            if (next > file.Length)
            {
                return null;
            }

            offset = (int)next;
        }

        return null;
    }

    private readonly record struct WavLayout(ushort FormatTag, uint SampleRate, uint ByteRate, ushort BlockAlign, int DataStart, uint DataSize);
}
