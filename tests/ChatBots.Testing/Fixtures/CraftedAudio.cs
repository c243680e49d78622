using System.Buffers.Binary;
using System.Text;

namespace ChatBots.Testing.Fixtures;

/// <summary>
/// Small audio files built byte by byte, for the shapes the recorded fixtures do not have: other header versions,
/// corrupt sizes and positions, formats without a fixture. The payloads are silence or zeros; only the headers the
/// duration readers look at are real.
/// </summary>
public static class CraftedAudio
{
    /// <summary>One MP4 box: 32-bit size, type, then the body.</summary>
    public static byte[] Box(string type, params byte[][] body)
    {
        byte[] content = [.. body.SelectMany(b => b)];
        byte[] box = new byte[8 + content.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4));
        content.CopyTo(box, 8);
        return box;
    }

    /// <summary>An <c>ftyp</c> box naming the M4A brand, as files from phones start.</summary>
    public static byte[] FileType() => Box("ftyp", "M4A \0\0\0\0M4A isom"u8.ToArray());

    /// <summary>An <c>mvhd</c> (or, with <paramref name="type"/> <c>mdhd</c>, a media header: same leading layout).</summary>
    public static byte[] MovieHeader(int version, uint timescale, ulong duration, string type = "mvhd")
    {
        byte[] body;
        if (version == 1)
        {
            body = new byte[32 + 80];
            body[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(20), timescale);
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(24), duration);
        }
        else
        {
            body = new byte[20 + 80];
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), timescale);
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), (uint)duration);
        }

        return Box(type, body);
    }

    /// <summary>
    /// Constant-bit-rate MPEG-1 layer III at 128 kbit/s, 44.1 kHz: <paramref name="frames"/> frames of 417 bytes, after an
    /// optional ID3v2 tag of <paramref name="id3Bytes"/> bytes that is itself full of frame-like bytes (a reader that
    /// does not skip the tag counts them as audio).
    /// </summary>
    public static byte[] Mp3Cbr(int frames, int id3Bytes = 0)
    {
        using var file = new MemoryStream();
        if (id3Bytes > 0)
        {
            file.Write(Id3v2(id3Bytes));
        }

        for (int i = 0; i < frames; i++)
        {
            file.Write(Mp3Frame());
        }

        return file.ToArray();
    }

    /// <summary>An MPEG-1 layer III stereo file whose first frame carries a Xing header with a frame count, and no LAME tag.</summary>
    public static byte[] Mp3Xing(uint frameCount, int actualFrames = 4)
    {
        byte[] first = Mp3Frame();
        "Xing"u8.CopyTo(first.AsSpan(4 + 32));
        BinaryPrimitives.WriteUInt32BigEndian(first.AsSpan(4 + 32 + 4), 1); // frames field present
        BinaryPrimitives.WriteUInt32BigEndian(first.AsSpan(4 + 32 + 8), frameCount);
        return [.. first, .. Mp3Cbr(actualFrames)];
    }

    /// <summary>An MPEG-1 layer III file whose first frame carries a VBRI (Fraunhofer) header with a frame count.</summary>
    public static byte[] Mp3Vbri(uint frameCount, int actualFrames = 4)
    {
        byte[] first = Mp3Frame();
        "VBRI"u8.CopyTo(first.AsSpan(36));
        BinaryPrimitives.WriteUInt16BigEndian(first.AsSpan(40), 1); // version
        BinaryPrimitives.WriteUInt32BigEndian(first.AsSpan(36 + 14), frameCount);
        return [.. first, .. Mp3Cbr(actualFrames)];
    }

    /// <summary>A FLAC stream header whose STREAMINFO says <paramref name="totalSamples"/> at <paramref name="sampleRate"/> (mono, 16-bit).</summary>
    public static byte[] Flac(uint sampleRate, ulong totalSamples)
    {
        byte[] file = new byte[4 + 4 + 34 + 64];
        "fLaC"u8.CopyTo(file);
        file[4] = 0x80; // last metadata block, type 0 (STREAMINFO)
        file[7] = 34;
        ulong packed = ((ulong)sampleRate << 44) | (0UL << 41) | (15UL << 36) | totalSamples;
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(8 + 10), packed);
        return file;
    }

    /// <summary>
    /// An MP4 track (<c>trak</c>) of handler <paramref name="handler"/> (<c>soun</c>, <c>vide</c>) whose sample entry is
    /// <paramref name="codec"/> (stereo, 16-bit, 48 kHz) and whose <c>stsz</c> lists <paramref name="sampleCount"/> samples of
    /// <paramref name="sampleSize"/> bytes; its media header says <paramref name="seconds"/>.
    /// </summary>
    public static byte[] Track(string handler, string codec, uint sampleSize, uint sampleCount, uint seconds)
    {
        byte[] hdlr = new byte[4 + 4 + 4 + 12 + 1];
        Encoding.ASCII.GetBytes(handler, hdlr.AsSpan(8));
        byte[] entry = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(16), 2); // channels
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(18), 16); // bits per sample
        BinaryPrimitives.WriteUInt32BigEndian(entry.AsSpan(24), 48_000u << 16); // 16.16 sample rate
        byte[] stsdHead = [0, 0, 0, 0, 0, 0, 0, 1];
        byte[] stsz = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(stsz.AsSpan(4), sampleSize);
        BinaryPrimitives.WriteUInt32BigEndian(stsz.AsSpan(8), sampleCount);
        return Box(
            "trak",
            Box(
                "mdia",
                Box("hdlr", hdlr),
                MovieHeader(0, 1000, seconds * 1000UL, "mdhd"),
                Box("minf", Box("stbl", Box("stsd", stsdHead, Box(codec, entry)), Box("stsz", stsz)))));
    }

    /// <summary>An MP4 file: <c>ftyp</c>, a <c>moov</c> whose movie header says <paramref name="seconds"/> holding <paramref name="tracks"/>, and <paramref name="mdatBytes"/> of media.</summary>
    public static byte[] Mp4(uint seconds, int mdatBytes, params byte[][] tracks) =>
        [.. FileType(), .. Box("moov", [MovieHeader(0, 1000, seconds * 1000UL), .. tracks]), .. Box("mdat", new byte[mdatBytes])];

    /// <summary>
    /// <paramref name="copies"/> Ogg files one after the other (chained streams), the last page's granule then set to
    /// <paramref name="lastGranule"/>: a large file that claims to be short.
    /// </summary>
    public static byte[] OggChained(byte[] ogg, int copies, long lastGranule) =>
        OggWithLastGranule([.. Enumerable.Repeat(ogg, copies).SelectMany(b => b)], lastGranule);

    /// <summary>A PCM WAV file with a <c>LIST</c> chunk (odd-sized, so padded) before <c>fmt </c>, as many recorders write.</summary>
    /// <param name="byteRate">The real rate: sample rate × 2-byte blocks of mono 16-bit audio.</param>
    /// <param name="dataBytes">The size of the data chunk.</param>
    /// <param name="claimedByteRate">What the header's byte-rate field says, when it is to lie about the rate.</param>
    public static byte[] WavWithListChunk(int byteRate, int dataBytes, int? claimedByteRate = null)
    {
        using var file = new MemoryStream();
        using var writer = new BinaryWriter(file);
        writer.Write("RIFF"u8);
        writer.Write(0); // patched below
        writer.Write("WAVE"u8);
        writer.Write("LIST"u8);
        writer.Write(25);
        writer.Write(new byte[26]); // 25 bytes and the pad byte
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1); // PCM
        writer.Write((short)1); // mono
        writer.Write(byteRate / 2); // sample rate
        writer.Write(claimedByteRate ?? byteRate);
        writer.Write((short)2); // block align
        writer.Write((short)16); // bits per sample
        writer.Write("data"u8);
        writer.Write(dataBytes);
        writer.Write(new byte[dataBytes]);
        writer.Flush();
        byte[] bytes = file.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    /// <summary>A WebM (EBML) file of <paramref name="length"/> bytes: recognised as audio, but no reader knows its duration.</summary>
    public static byte[] Webm(int length)
    {
        byte[] file = new byte[length];
        file[0] = 0x1A;
        file[1] = 0x45;
        file[2] = 0xDF;
        file[3] = 0xA3;
        return file;
    }

    /// <summary>A copy of an Ogg file whose last page claims granule position <paramref name="granule"/> (CRC left stale).</summary>
    public static byte[] OggWithLastGranule(byte[] ogg, long granule)
    {
        byte[] copy = [.. ogg];
        int offset = 0;
        int last = -1;
        while (offset + 27 <= copy.Length && copy.AsSpan(offset, 4).SequenceEqual("OggS"u8))
        {
            last = offset;
            int segments = copy[offset + 26];
            int body = 0;
            for (int i = 0; i < segments; i++)
            {
                body += copy[offset + 27 + i];
            }

            offset += 27 + segments + body;
        }

        if (last < 0)
        {
            throw new ArgumentException("Not an Ogg file.", nameof(ogg));
        }

        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(last + 6), granule);
        return copy;
    }

    private static byte[] Mp3Frame()
    {
        // MPEG-1 layer III, no CRC, 128 kbit/s, 44.1 kHz, no padding, stereo: 144 × 128000 / 44100 = 417 bytes.
        byte[] frame = new byte[417];
        frame[0] = 0xFF;
        frame[1] = 0xFB;
        frame[2] = 0x90;
        frame[3] = 0x00;
        return frame;
    }

    private static byte[] Id3v2(int totalBytes)
    {
        int size = totalBytes - 10;
        byte[] tag = new byte[totalBytes];
        "ID3"u8.CopyTo(tag);
        tag[3] = 4;
        tag[6] = (byte)((size >> 21) & 0x7F);
        tag[7] = (byte)((size >> 14) & 0x7F);
        tag[8] = (byte)((size >> 7) & 0x7F);
        tag[9] = (byte)(size & 0x7F);
        for (int at = 10; at + 4 <= tag.Length; at += 417)
        {
            Mp3Frame().AsSpan(0, 4).CopyTo(tag.AsSpan(at));
        }

        return tag;
    }
}
