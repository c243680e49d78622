using ChatBots.Engine.Voice;

namespace ChatBots.Telegram;

/// <summary>
/// A download buffer that refuses to grow past <paramref name="limit"/> bytes: the write that would pass it throws
/// <see cref="AudioTooLargeException"/>, which stops the copy, so a file larger than its declared size (or with none)
/// is never read whole into memory. <see cref="Exceeded"/> stays set even when the copying library wraps the exception.
/// </summary>
internal sealed class CappedMemoryStream(long limit, string message) : MemoryStream
{
    /// <summary>A write was refused for passing the limit.</summary>
    public bool Exceeded { get; private set; }

    /// <summary>The refusal (for callers that find the original exception wrapped).</summary>
    public AudioTooLargeException TooLarge() => new(limit, message);

    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override void WriteByte(byte value)
    {
        Check(1);
        base.WriteByte(value);
    }

    private void Check(int count)
    {
        if (Length + count > limit)
        {
            Exceeded = true;
            throw TooLarge();
        }
    }
}
