using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Fixtures;

namespace ChatBots.Engine.Tests;

public sealed class VoiceTests
{
    [Theory]
    [InlineData("hello-en.ogg", 6.124)]
    [InlineData("nihao-zh.ogg", 9.872)]
    [InlineData("tone-1s.ogg", 1.007)]
    public void OggOpusDuration_Fixture_WithinTwentyMilliseconds(string file, double seconds)
    {
        TimeSpan? duration = OggOpusDuration.Read(VoiceFixtures.Read(file));

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, seconds - 0.020, seconds + 0.020);
    }

    [Theory]
    [InlineData("hello-en.mp3")]
    [InlineData("hello-en.m4a")]
    public void OggOpusDuration_NotOgg_IsNull(string file) => Assert.Null(OggOpusDuration.Read(VoiceFixtures.Read(file)));

    [Theory]
    [InlineData("hello-en.ogg", "ogg")]
    [InlineData("hello-en.mp3", "mp3")]
    [InlineData("hello-en.m4a", "m4a")]
    public void AudioFormat_Fixture_Recognised(string file, string expected) => Assert.Equal(expected, AudioFormat.Sniff(VoiceFixtures.Read(file)));

    private static IncomingMessage Voice(string file, string uniqueId, TimeSpan? duration = null, long? size = null, string? fileName = null, Func<byte[]>? bytes = null, Action? onDownload = null) =>
        EngineHarness.Message("") with
        {
            Audio = new AudioAttachment(uniqueId, fileName ?? "voice.oga", "audio/ogg", size, duration, _ =>
            {
                onDownload?.Invoke();
                return Task.FromResult<Stream>(new MemoryStream(bytes?.Invoke() ?? VoiceFixtures.Read(file)));
            }),
        };

    [Fact]
    public async Task Voice_OggNote_TranscriptThenAnswer_AndBilledByDuration()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = u => new Transcript("What day is it today?", "gpt-4o-mini-transcribe", null);

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "file-1"));

        Assert.Equal(2, sink.Replies.Count);
        Assert.Equal(ReplyKind.Transcript, sink.Replies[0].Kind);
        Assert.Contains("What day is it today?", sink.Replies[0].Text, StringComparison.Ordinal);
        Assert.Equal(ReplyKind.Answer, sink.Replies[1].Kind);
        Assert.Equal("What day is it today?", harness.Model.ChatPrompts.Single().Messages[^1].Text);

        RecordedUpload upload = Assert.Single(harness.Transcriber.Uploads);
        Assert.Equal("voice.ogg", upload.FileName);
        Assert.Equal(VoiceFixtures.Read("hello-en.ogg").Length, upload.Bytes);

        LedgerEntry transcription = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.InRange(transcription.AudioSeconds, 6.10m, 6.15m);
        // seconds / 60 × $0.003 = 50 µUSD per second, rounded up once: about 306 µUSD for this note.
        Assert.Equal((long)decimal.Ceiling(transcription.AudioSeconds * 50m), transcription.Cost.Value);
        Assert.InRange(transcription.Cost.Value, 305, 308);
        Assert.False(transcription.Estimated);
    }

    [Theory]
    [InlineData("hello-en.mp3", "recording.mp3", "recording.mp3")]
    [InlineData("hello-en.m4a", "memo.m4a", "memo.m4a")]
    [InlineData("hello-en.ogg", "voice-message.ogg", "voice-message.ogg")]
    [InlineData("hello-en.mp3", "audio.bin", "audio.mp3")]
    public async Task Voice_Upload_FileNameExtensionMatchesFormat(string file, string declared, string expected)
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(Voice(file, "u-" + declared, fileName: declared, duration: TimeSpan.FromSeconds(6)));

        Assert.Equal(expected, harness.Transcriber.Uploads.Single().FileName);
    }

    [Fact]
    public async Task Voice_SameUniqueIdTwice_TranscribedOnce()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(Voice("hello-en.ogg", "same"));
        RecordingReplySink second = await harness.SendAsync(Voice("hello-en.ogg", "same"));

        Assert.Single(harness.Transcriber.Uploads);
        Assert.Single(harness.Store.Ledger, e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(ReplyKind.Transcript, second.Replies[0].Kind);
    }

    [Fact]
    public async Task Voice_ThirtyMegabytes_RefusedBeforeDownload()
    {
        await using EngineHarness harness = EngineHarness.Create();
        bool downloaded = false;

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "big", size: 30L * 1024 * 1024, onDownload: () => downloaded = true));

        Assert.False(downloaded);
        Assert.Contains("at most 20 MB", sink.Replies.Single().Text, StringComparison.Ordinal);
        Assert.Empty(harness.Transcriber.Uploads);
    }

    [Fact]
    public async Task Voice_DeclaredTooLong_RefusedBeforeDownload()
    {
        await using EngineHarness harness = EngineHarness.Create();
        bool downloaded = false;

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "long", duration: TimeSpan.FromMinutes(11), onDownload: () => downloaded = true));

        Assert.False(downloaded);
        Assert.Contains("at most 10 min", sink.Replies.Single().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_FileLongerThanLimit_RefusedBeforeUpload()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Voice:MaxDuration"] = "00:00:05");

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "measured"));

        Assert.Contains("6 s long", sink.Replies.Single().Text, StringComparison.Ordinal);
        Assert.Empty(harness.Transcriber.Uploads);
        Assert.Empty(harness.Store.Ledger);
    }

    [Fact]
    public async Task Voice_NotAudio_ClearReplyAndConversationGoesOn()
    {
        await using EngineHarness harness = EngineHarness.Create();

        RecordingReplySink sink = await harness.SendAsync(Voice("x", "pdf", bytes: () => "%PDF-1.7 not audio"u8.ToArray()));
        string after = await harness.AskAsync("still there?");

        Assert.Contains("does not look like audio", sink.Replies.Single().Text, StringComparison.Ordinal);
        Assert.Empty(harness.Transcriber.Uploads);
        Assert.Equal("reply to: still there?", after);
    }

    [Fact]
    public async Task Voice_DownloadFails_ClearReply()
    {
        await using EngineHarness harness = EngineHarness.Create();
        IncomingMessage message = EngineHarness.Message("") with
        {
            Audio = new AudioAttachment("gone", "voice.ogg", "audio/ogg", 100, null, _ => throw new HttpRequestException("404")),
        };

        RecordingReplySink sink = await harness.SendAsync(message);

        Assert.Contains("could not download", sink.Replies.Single().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_TranscriptOnlyMode_NoModelCall()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Voice:Mode"] = "TranscriptOnly");

        RecordingReplySink sink = await harness.SendAsync(Voice("nihao-zh.ogg", "zh"));

        Assert.Equal(ReplyKind.Transcript, sink.Replies.Single().Kind);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Voice_TranslateMode_UsesTranslationTask()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Voice:Mode"] = "Translate");
        harness.Transcriber.Responder = u => new Transcript("Hello, what is the date today?", "whisper-1", null);

        RecordingReplySink sink = await harness.SendAsync(Voice("nihao-zh.ogg", "zh-t"));

        Assert.Equal(TranscriptionTask.Translate, harness.Transcriber.Uploads.Single().Task);
        Assert.StartsWith("🎙 Translation: Hello", sink.Replies.Single().Text, StringComparison.Ordinal);
        Assert.Equal("whisper-1", harness.Store.Ledger.Single().Model);
    }
}
