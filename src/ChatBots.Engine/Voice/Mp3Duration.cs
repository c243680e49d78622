using System.Buffers.Binary;

namespace ChatBots.Engine.Voice;

/// <summary>
/// Reads an MP3 file's duration without decoding. After any ID3v2 tags: a Xing/Info header in the first frame gives
/// the frame count (less the encoder delay and padding its LAME tag records, as gapless decoders play it); else a VBRI
/// header gives the frame count; else the file is taken as constant bit rate, the audio bytes over the first frame's
/// bit rate. Null when no valid frame is found.
/// </summary>
internal static class Mp3Duration
{
    // Kbit/s by bit-rate index; rows: MPEG-1 layer I, II, III; MPEG-2/2.5 layer I; MPEG-2/2.5 layers II and III.
    private static readonly int[][] Bitrates =
    [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];

    // How far a frame sync is looked for after the tags: junk or padding before the first frame is short in practice.
    private const int SearchWindow = 64 * 1024;

    public static TimeSpan? Read(ReadOnlySpan<byte> file)
    {
        int start = SkipId3v2(file);
        int end = file.Length;
        if (end - start >= 128 && file.Slice(end - 128, 3).SequenceEqual("TAG"u8))
        {
            end -= 128; // ID3v1 at the very end
        }

        int position = FindFrame(file[..end], start);
        if (position < 0 || !FrameHeader.TryParse(file[position..end], out FrameHeader first))
        {
            return null;
        }

        ReadOnlySpan<byte> frame = file.Slice(position, Math.Min(first.Length, end - position));
        int xing = 4 + first.SideInfoLength;
        if (frame.Length >= xing + 8 && (frame.Slice(xing, 4).SequenceEqual("Xing"u8) || frame.Slice(xing, 4).SequenceEqual("Info"u8)))
        {
            if (XingDuration(frame[xing..], first) is { } fromXing)
            {
                return fromXing;
            }

            // An Info frame without a frame count is a CBR file's header frame: it holds no audio.
            return Cbr(end - position - first.Length, first);
        }

        // A VBRI header sits 32 bytes after the frame header: id, version, delay, quality, bytes, frames.
        if (frame.Length >= 36 + 18 && frame.Slice(36, 4).SequenceEqual("VBRI"u8))
        {
            uint frames = BinaryPrimitives.ReadUInt32BigEndian(frame[(36 + 14)..]);
            return AudioDuration.Plausible((double)frames * first.SamplesPerFrame, first.SampleRate);
        }

        return Cbr(end - position, first);
    }

    private static TimeSpan? Cbr(long audioBytes, FrameHeader first) =>
        AudioDuration.Plausible(audioBytes * 8d, first.BitrateKbps * 1000d);

    private static TimeSpan? XingDuration(ReadOnlySpan<byte> xing, FrameHeader first)
    {
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(xing[4..]);
        if ((flags & 1) == 0 || xing.Length < 12)
        {
            return null;
        }

        uint frames = BinaryPrimitives.ReadUInt32BigEndian(xing[8..]);
        double samples = (double)frames * first.SamplesPerFrame;

        // The LAME tag follows the optional fields; its encoder delay and padding (12 bits each) are not audio.
        int lame = 8 + 4 + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
        if (xing.Length >= lame + 24)
        {
            ReadOnlySpan<byte> tag = xing[lame..];
            if (tag.StartsWith("LAME"u8) || tag.StartsWith("Lavf"u8) || tag.StartsWith("Lavc"u8))
            {
                int delay = (tag[21] << 4) | (tag[22] >> 4);
                int padding = ((tag[22] & 0x0F) << 8) | tag[23];
                if (delay + padding < samples)
                {
                    samples -= delay + padding;
                }
            }
        }

        return AudioDuration.Plausible(samples, first.SampleRate);
    }

    /// <summary>The offset after any ID3v2 tags (there may be several, each with an optional footer).</summary>
    private static int SkipId3v2(ReadOnlySpan<byte> file)
    {
        int offset = 0;
        while (file.Length - offset >= 10 && file.Slice(offset, 3).SequenceEqual("ID3"u8))
        {
            ReadOnlySpan<byte> header = file.Slice(offset, 10);
            if ((header[6] | header[7] | header[8] | header[9]) >= 0x80)
            {
                break; // not a syncsafe size: not a tag
            }

            int size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9];
            int footer = (header[5] & 0x10) != 0 ? 10 : 0;
            long next = (long)offset + 10 + size + footer;
            if (next > file.Length)
            {
                return file.Length;
            }

            offset = (int)next;
        }

        return offset;
    }

    /// <summary>
    /// The first offset holding a valid frame header that is followed by another with the same version, layer and rate
    /// (or by the end of the file): a lone 0xFFE pattern in a tag or junk is not taken for audio.
    /// </summary>
    private static int FindFrame(ReadOnlySpan<byte> file, int start)
    {
        int last = (int)Math.Min(file.Length - 4L, (long)start + SearchWindow);
        for (int i = start; i <= last; i++)
        {
            if (file[i] != 0xFF || !FrameHeader.TryParse(file[i..], out FrameHeader header))
            {
                continue;
            }

            long next = (long)i + header.Length;
            if (next + 4 > file.Length)
            {
                return next <= file.Length ? i : -1;
            }

            if (FrameHeader.TryParse(file[(int)next..], out FrameHeader following) && following.SameStream(header))
            {
                return i;
            }
        }

        return -1;
    }

    private readonly record struct FrameHeader(int Version, int Layer, int BitrateKbps, int SampleRate, bool Mono, int Length)
    {
        /// <summary>1 for MPEG-1; 2 for MPEG-2 and MPEG-2.5, which share their tables.</summary>
        private bool IsMpeg1 => Version == 1;

        public int SamplesPerFrame => Layer switch
        {
            1 => 384,
            2 => 1152,
            _ => IsMpeg1 ? 1152 : 576,
        };

        /// <summary>Layer III side information, which the Xing header follows.</summary>
        public int SideInfoLength => IsMpeg1 ? (Mono ? 17 : 32) : (Mono ? 9 : 17);

        public bool SameStream(FrameHeader other) => Version == other.Version && Layer == other.Layer && SampleRate == other.SampleRate;

        public static bool TryParse(ReadOnlySpan<byte> bytes, out FrameHeader header)
        {
            header = default;
            if (bytes.Length < 4 || bytes[0] != 0xFF || (bytes[1] & 0xE0) != 0xE0)
            {
                return false;
            }

            int versionBits = (bytes[1] >> 3) & 3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
            int layerBits = (bytes[1] >> 1) & 3; // 0: reserved, 1: III, 2: II, 3: I
            int bitrateIndex = bytes[2] >> 4;
            int rateIndex = (bytes[2] >> 2) & 3;
            if (versionBits == 1 || layerBits == 0 || bitrateIndex is 0 or 15 || rateIndex == 3)
            {
                return false; // reserved values, or "free format" whose frame length cannot be known from the header
            }

            int layer = 4 - layerBits;
            bool mpeg1 = versionBits == 3;
            int row = mpeg1 ? layer - 1 : (layer == 1 ? 3 : 4);
            int kbps = Bitrates[row][bitrateIndex];
            int baseRate = rateIndex switch { 0 => 44_100, 1 => 48_000, _ => 32_000 };
            int sampleRate = versionBits switch { 3 => baseRate, 2 => baseRate / 2, _ => baseRate / 4 };
            int padding = (bytes[2] >> 1) & 1;
            int bitrate = kbps * 1000;
            int length = layer switch
            {
                1 => ((12 * bitrate / sampleRate) + padding) * 4,
                3 when !mpeg1 => (72 * bitrate / sampleRate) + padding,
                _ => (144 * bitrate / sampleRate) + padding,
            };

            header = new FrameHeader(mpeg1 ? 1 : 2, layer, kbps, sampleRate, (bytes[3] >> 6) == 3, length);
            return true;
        }
    }
}
