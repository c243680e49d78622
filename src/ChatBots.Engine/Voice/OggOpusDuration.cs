using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads an Ogg Opus file's duration without decoding: the last page's granule position minus the OpusHead pre-skip,
/// over 48,000 (RFC 7845 §4). Returns null for anything that is not Ogg Opus, and for positions no real note has
/// (negative, or more than a day: a corrupt page must not overflow <see cref="TimeSpan"/>).
/// </summary>
public static class OggOpusDuration
{
    private const int PageHeaderSize = 27;

    public static TimeSpan? Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < PageHeaderSize || !file[..4].SequenceEqual("OggS"u8))
        {
            return null;
        }

        int? preSkip = null;
        long lastGranule = -1;
        int offset = 0;
        while (offset + PageHeaderSize <= file.Length && file.Slice(offset, 4).SequenceEqual("OggS"u8))
        {
            ReadOnlySpan<byte> header = file.Slice(offset, PageHeaderSize);
            long granule = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
            int segments = header[26];
            if (offset + PageHeaderSize + segments > file.Length)
            {
                break;
            }

            ReadOnlySpan<byte> table = file.Slice(offset + PageHeaderSize, segments);
            int bodySize = 0;
            foreach (byte lacing in table)
            {
                bodySize += lacing;
            }

            int bodyStart = offset + PageHeaderSize + segments;
            if (bodyStart + bodySize > file.Length)
            {
                break;
            }

            if (preSkip is null)
            {
                ReadOnlySpan<byte> body = file.Slice(bodyStart, bodySize);
                if (body.Length < 19 || !body[..8].SequenceEqual("OpusHead"u8))
                {
                    return null;
                }

                preSkip = BinaryPrimitives.ReadUInt16LittleEndian(body[10..]);
            }

            // -1 marks a page on which no packet ends; it carries no position.
            if (granule >= 0)
            {
                lastGranule = granule;
            }

            offset = bodyStart + bodySize;
        }

        if (preSkip is null || lastGranule < preSkip)
        {
            return null;
        }

        return AudioDuration.Plausible(lastGranule - preSkip.Value, 48_000d);
    }
}
