using System.Collections.Concurrent;
using ChatBots.Engine.Voice;

namespace ChatBots.Testing.Engine;

/// <summary>What the fake transcriber received.</summary>
public sealed record RecordedUpload(string FileName, int Bytes, TranscriptionTask Task, string? Language);

/// <summary>A scripted <see cref="ITranscriber"/> that records each upload.</summary>
public sealed class FakeTranscriber : ITranscriber
{
    private readonly ConcurrentQueue<RecordedUpload> _uploads = new();

    public Func<RecordedUpload, Transcript> Responder { get; set; } = u => new Transcript($"transcript of {u.FileName}", "gpt-4o-mini-transcribe", null);

    public IReadOnlyList<RecordedUpload> Uploads => [.. _uploads];

    public async Task<Transcript> TranscribeAsync(Stream audio, string fileName, TranscriptionTask task, string? language, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await audio.CopyToAsync(copy, cancellationToken);
        var upload = new RecordedUpload(fileName, (int)copy.Length, task, language);
        _uploads.Enqueue(upload);
        return Responder(upload);
    }
}
