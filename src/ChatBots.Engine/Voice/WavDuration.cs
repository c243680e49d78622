using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads a RIFF/WAVE file's duration from its chunks: the <c>data</c> chunk's size over the <c>fmt </c> chunk's byte
/// rate. Chunks are walked rather than assuming a 44-byte header, since many writers add <c>LIST</c> or <c>fact</c>
/// chunks first. A data size larger than the file (streamed writers leave it at its maximum) counts what is there.
/// </summary>
internal static class WavDuration
{
    public static TimeSpan? Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file.StartsWith("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        uint byteRate = 0;
        int offset = 12;
        while (offset + 8 <= file.Length)
        {
            ReadOnlySpan<byte> id = file.Slice(offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            int start = offset + 8;
            long available = file.Length - start;
            if (id.SequenceEqual("fmt "u8) && size >= 16 && available >= 16)
            {
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(file[(start + 8)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return byteRate == 0 ? null : AudioDuration.Plausible(Math.Min(size, available), byteRate);
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
}
