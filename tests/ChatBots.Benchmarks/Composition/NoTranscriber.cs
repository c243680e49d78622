using ChatBots.Engine.Voice;

namespace ChatBots.Benchmarks.Composition;

/// <summary>The benchmarks and the simulator send text only; a voice message reaching this is a bug in them.</summary>
internal sealed class NoTranscriber : ITranscriber
{
    public Task<Transcript> TranscribeAsync(Stream audio, string fileName, TranscriptionTask task, string? language, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The benchmarks send no audio.");
}
