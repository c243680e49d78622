using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads an MP4/M4A file's duration without decoding: the movie header (<c>moov/mvhd</c>) gives a timescale and a
/// duration in it (ISO/IEC 14496-12 §8.2.2), version 0 with 32-bit fields, version 1 with 64-bit ones. When the movie
/// header does not know (zero or all ones, as fragmented files write), the longest track's media header
/// (<c>moov/trak/mdia/mdhd</c>, same layout) is used. Every box size is checked against its parent, so a corrupt file
/// gives null, never an exception or a read past the end.
/// </summary>
internal static class Mp4Duration
{
    public static TimeSpan? Read(ReadOnlySpan<byte> file)
    {
        if (!TryFindBox(file, "moov"u8, out ReadOnlySpan<byte> moov))
        {
            return null;
        }

        if (TryFindBox(moov, "mvhd"u8, out ReadOnlySpan<byte> mvhd) && HeaderDuration(mvhd) is { } movie)
        {
            return movie;
        }

        TimeSpan? longest = null;
        int offset = 0;
        while (NextBox(moov, ref offset, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> trak))
        {
            if (type.SequenceEqual("trak"u8)
                && TryFindBox(trak, "mdia"u8, out ReadOnlySpan<byte> mdia)
                && TryFindBox(mdia, "mdhd"u8, out ReadOnlySpan<byte> mdhd)
                && HeaderDuration(mdhd) is { } track
                && (longest is null || track > longest))
            {
                longest = track;
            }
        }

        return longest;
    }

    /// <summary>
    /// The bytes of the file's sound tracks (their sample sizes, <c>stbl/stsz</c>, which is what a decoder reads) and the
    /// highest rate they can play at: AAC's practical top, Opus's, or for anything else (ALAC, PCM) the PCM rate its
    /// sample entry gives. A video track's bytes do not count: a Telegram video note is mostly picture. When no sound
    /// track's sizes can be read (a fragmented file), the whole file at the lossless bound.
    /// </summary>
    public static (long Bytes, decimal PerSecond)? AudioBytes(ReadOnlySpan<byte> file)
    {
        if (!TryFindBox(file, "moov"u8, out ReadOnlySpan<byte> moov))
        {
            return null;
        }

        long bytes = 0;
        decimal rate = 0;
        int offset = 0;
        while (NextBox(moov, ref offset, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> trak))
        {
            if (type.SequenceEqual("trak"u8)
                && TryFindBox(trak, "mdia"u8, out ReadOnlySpan<byte> mdia)
                && TryFindBox(mdia, "hdlr"u8, out ReadOnlySpan<byte> hdlr)
                && hdlr.Length >= 12
                && hdlr.Slice(8, 4).SequenceEqual("soun"u8)
                && TryFindBox(mdia, "minf"u8, out ReadOnlySpan<byte> minf)
                && TryFindBox(minf, "stbl"u8, out ReadOnlySpan<byte> stbl)
                && TryFindBox(stbl, "stsz"u8, out ReadOnlySpan<byte> stsz)
                && SampleBytes(stsz) is > 0 and long trackBytes)
            {
                bytes += trackBytes;
                rate = Math.Max(rate, TryFindBox(stbl, "stsd"u8, out ReadOnlySpan<byte> stsd) ? MaxRate(stsd) : AudioDuration.LosslessMaxBytesPerSecond);
            }
        }

        return bytes > 0 ? (bytes, rate) : (file.Length, AudioDuration.LosslessMaxBytesPerSecond);
    }

    /// <summary>The sum of an <c>stsz</c> box's sample sizes: one size for all, or a table (as much of it as is there).</summary>
    private static long SampleBytes(ReadOnlySpan<byte> stsz)
    {
        if (stsz.Length < 12)
        {
            return 0;
        }

        uint size = BinaryPrimitives.ReadUInt32BigEndian(stsz[4..]);
        uint count = BinaryPrimitives.ReadUInt32BigEndian(stsz[8..]);
        if (size != 0)
        {
            return (long)size * count;
        }

        long total = 0;
        long entries = Math.Min(count, (stsz.Length - 12) / 4);
        for (int i = 0; i < entries; i++)
        {
            total += BinaryPrimitives.ReadUInt32BigEndian(stsz[(12 + (i * 4))..]);
        }

        return total;
    }

    /// <summary>The highest byte rate the first sample entry of an <c>stsd</c> box can play at.</summary>
    private static decimal MaxRate(ReadOnlySpan<byte> stsd)
    {
        // Version and flags, entry count, then the entry: size, codec, 6 reserved, data reference index, 8 reserved,
        // channel count, sample size, 4 more, and the sample rate as 16.16 fixed point (ISO/IEC 14496-12 §12.2.3).
        ReadOnlySpan<byte> entry = stsd.Length >= 8 ? stsd[8..] : default;
        if (entry.Length < 36)
        {
            return AudioDuration.LosslessMaxBytesPerSecond;
        }

        ReadOnlySpan<byte> codec = entry.Slice(4, 4);
        if (codec.SequenceEqual("mp4a"u8))
        {
            return AudioDuration.AacMaxBytesPerSecond;
        }

        if (codec.SequenceEqual("Opus"u8))
        {
            return AudioDuration.OpusVorbisMaxBytesPerSecond;
        }

        uint channels = BinaryPrimitives.ReadUInt16BigEndian(entry[24..]);
        uint bits = BinaryPrimitives.ReadUInt16BigEndian(entry[26..]);
        uint sampleRate = BinaryPrimitives.ReadUInt16BigEndian(entry[32..]);
        decimal pcm = sampleRate * channels * bits / 8m;
        return pcm > 0 ? pcm : AudioDuration.LosslessMaxBytesPerSecond;
    }

    /// <summary>The duration in an <c>mvhd</c> or <c>mdhd</c> body: version, flags, two times, timescale, duration.</summary>
    private static TimeSpan? HeaderDuration(ReadOnlySpan<byte> body)
    {
        if (body.Length < 1)
        {
            return null;
        }

        uint timescale;
        ulong duration;
        if (body[0] == 1)
        {
            if (body.Length < 32)
            {
                return null;
            }

            timescale = BinaryPrimitives.ReadUInt32BigEndian(body[20..]);
            duration = BinaryPrimitives.ReadUInt64BigEndian(body[24..]);
            if (duration == ulong.MaxValue)
            {
                return null;
            }
        }
        else if (body[0] == 0)
        {
            if (body.Length < 20)
            {
                return null;
            }

            timescale = BinaryPrimitives.ReadUInt32BigEndian(body[12..]);
            duration = BinaryPrimitives.ReadUInt32BigEndian(body[16..]);
            if (duration == uint.MaxValue)
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        return AudioDuration.Plausible(duration, timescale);
    }

    private static bool TryFindBox(ReadOnlySpan<byte> container, ReadOnlySpan<byte> wanted, out ReadOnlySpan<byte> body)
    {
        int offset = 0;
        while (NextBox(container, ref offset, out ReadOnlySpan<byte> type, out body))
        {
            if (type.SequenceEqual(wanted))
            {
                return true;
            }
        }

        body = default;
        return false;
    }

    /// <summary>
    /// The box at <paramref name="offset"/>, advancing past it; false at the end or at a size that does not fit
    /// (smaller than its own header, or past the parent), since nothing after a broken size can be located.
    /// </summary>
    private static bool NextBox(ReadOnlySpan<byte> container, scoped ref int offset, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> body)
    {
        type = default;
        body = default;
        int remaining = container.Length - offset;
        if (remaining < 8)
        {
            return false;
        }

        ulong size = BinaryPrimitives.ReadUInt32BigEndian(container[offset..]);
        int header = 8;
        if (size == 1)
        {
            // A 64-bit "largesize" follows the type.
            if (remaining < 16)
            {
                return false;
            }

            size = BinaryPrimitives.ReadUInt64BigEndian(container[(offset + 8)..]);
            header = 16;
        }
        else if (size == 0)
        {
            // The box runs to the end of its parent.
            size = (ulong)remaining;
        }

        if (size < (ulong)header || size > (ulong)remaining)
        {
            return false;
        }

        type = container.Slice(offset + 4, 4);
        body = container.Slice(offset + header, (int)size - header);
        offset += (int)size;
        return true;
    }
}
