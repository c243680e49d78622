using ChatBots.Engine.Models;
using ChatBots.Engine.Voice;
using ChatBots.Testing.OpenAI;

namespace ChatBots.OpenAI.Tests;

public sealed class TranscriberTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static byte[] AudioBytes(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + 7);
        }

        return bytes;
    }

    [Theory]
    [InlineData("voice.ogg")]
    [InlineData("song.mp3")]
    [InlineData("memo.m4a")]
    public async Task TranscribeAsync_AudioFile_UploadsModelFileNameAndExactBytes(string fileName)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.WithText("bonjour tout le monde"));
        byte[] audio = AudioBytes(70_001);

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new MemoryStream(audio), fileName, TranscriptionTask.Transcribe, "fr", CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Equal("bonjour tout le monde", transcript.Text);
        Assert.Equal("gpt-4o-mini-transcribe", transcript.Model);
        RecordedAudioRequest request = Assert.Single(server.AudioRequests);
        Assert.Equal("transcriptions", request.Endpoint);
        Assert.Equal("gpt-4o-mini-transcribe", request.Model);
        Assert.Equal(fileName, request.FileName);
        Assert.Equal("fr", request.Language);
        Assert.Equal(audio, request.Bytes);
        Assert.Equal($"Bearer {OpenAITestHost.ApiKey}", request.Authorization);
    }

    [Fact]
    public async Task TranscribeAsync_NonSeekableStreamAfterServerError_RetriesWithTheWholeFile()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s => s["OpenAI:TranscriptionModel"] = "whisper-large");
        server.EnqueueAudioReplies(FakeAudioReply.Fail(FakeOpenAIError.ServerError()), FakeAudioReply.WithText("second try", TimeSpan.FromSeconds(4.5)));
        byte[] audio = AudioBytes(10_000);

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new NonSeekableStream(audio), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Equal("second try", transcript.Text);
        Assert.Equal(TimeSpan.FromSeconds(4.5), transcript.Duration);
        IReadOnlyList<RecordedAudioRequest> requests = server.AudioRequests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(audio, r.Bytes));
        Assert.All(requests, r => Assert.Equal("whisper-large", r.Model));
        Assert.Null(requests[1].Language);
    }

    [Fact]
    public async Task TranscribeAsync_TranslateTask_PostsToTranslationsWithWhisper1()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.WithText("hello everyone"));
        byte[] audio = AudioBytes(2048);

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new MemoryStream(audio), "voice.ogg", TranscriptionTask.Translate, "fr", CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Equal("hello everyone", transcript.Text);
        Assert.Equal("whisper-1", transcript.Model);
        RecordedAudioRequest request = Assert.Single(server.AudioRequests);
        Assert.Equal("translations", request.Endpoint);
        Assert.Equal("whisper-1", request.Model);
        Assert.Equal("voice.ogg", request.FileName);
        Assert.Equal(audio, request.Bytes);
    }

    [Fact]
    public async Task TranscribeAsync_UnsupportedFormat_RejectedAsFormatWithoutRetry()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.UnsupportedFormat());

        var error = await Assert.ThrowsAsync<AudioRejectedException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.oga", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard));

        Assert.Equal(AudioRejection.UnsupportedFormat, error.Reason);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid file format", error.Message, StringComparison.Ordinal);
        var call = Assert.IsType<ModelCallException>(error.InnerException);
        Assert.Equal(ModelErrorKind.BadRequest, call.Kind);
        Assert.Single(server.AudioRequests);
    }

    [Fact]
    public async Task TranscribeAsync_AudioLongerThanTheModelTakes_RejectedAsTooLong()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.TooLong());

        var error = await Assert.ThrowsAsync<AudioRejectedException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard));

        Assert.Equal(AudioRejection.TooLong, error.Reason);
        Assert.Single(server.AudioRequests);
    }

    [Fact]
    public async Task TranscribeAsync_UnknownLanguageHint_RejectedAsInvalidLanguage()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.Fail(new FakeOpenAIError(
            400, "Invalid language 'chinese'. Language parameter must be specified in ISO-639-1 format.", "invalid_request_error", "invalid_language_format")));

        var error = await Assert.ThrowsAsync<AudioRejectedException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, "chinese", CancellationToken.None)
            .WaitAsync(Guard));

        Assert.Equal(AudioRejection.InvalidLanguage, error.Reason);
        Assert.Equal("chinese", Assert.Single(server.AudioRequests).Language);
    }

    [Fact]
    public async Task TranscribeAsync_PayloadTooLarge_RejectedAsTooLarge()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.Fail(new FakeOpenAIError(413, "Maximum content size limit (26214400) exceeded (26500000 bytes read)", "server_error", null)));

        var error = await Assert.ThrowsAsync<AudioRejectedException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard));

        Assert.Equal(AudioRejection.TooLarge, error.Reason);
    }

    [Fact]
    public async Task TranscribeAsync_UsageOfTypeDuration_ReportedAsTheDuration()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.WithText("hello") with { UsageSeconds = 7 });

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Equal(TimeSpan.FromSeconds(7), transcript.Duration);
    }

    [Theory]
    [InlineData(0d)]
    [InlineData(-3d)]
    [InlineData(90_000d)] // over a day: no voice note is that long
    public async Task TranscribeAsync_UsageDurationNoNoteCanHave_DurationNull(double seconds)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.WithText("hello") with { UsageSeconds = seconds });

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Equal("hello", transcript.Text);
        Assert.Null(transcript.Duration);
    }

    [Fact]
    public async Task TranscribeAsync_NoDurationReported_DurationNull()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.WithText("hello"));

        Transcript transcript = await host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard);

        Assert.Null(transcript.Duration);
    }

    [Fact]
    public async Task TranscribeAsync_QuotaExhausted_FailsAsQuotaExhaustedAfterOneRequest()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server);
        server.EnqueueAudioReplies(FakeAudioReply.Fail(FakeOpenAIError.QuotaExhausted()));

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream(AudioBytes(100)), "voice.ogg", TranscriptionTask.Transcribe, null, CancellationToken.None)
            .WaitAsync(Guard));

        Assert.Equal(ModelErrorKind.QuotaExhausted, error.Kind);
        Assert.Single(server.AudioRequests);
    }

    /// <summary>A download stream as adapters get it from Telegram or Discord: readable once, no seeking.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
