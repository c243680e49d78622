using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Voice;
using ChatBots.Testing.Engine;
using ChatBots.Testing.Fixtures;
using Microsoft.Extensions.Configuration;

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
    [InlineData(long.MaxValue)] // TimeSpan.FromSeconds threw OverflowException on this
    [InlineData(48_000L * 3600 * 25)] // 25 hours: no voice note is that long
    public void OggOpusDuration_ImplausibleGranule_IsNull(long granule)
    {
        byte[] corrupt = CraftedAudio.OggWithLastGranule(VoiceFixtures.Read("hello-en.ogg"), granule);

        Assert.Null(OggOpusDuration.Read(corrupt));
    }

    // The spoken audio of these files is as long as the Ogg fixtures'. ffprobe says 6.191 s and 9.927 s for the MP3s
    // because it counts the encoder delay and padding that the LAME tag records and decoders drop.
    [Theory]
    [InlineData("hello-en.mp3", 6.124)]
    [InlineData("nihao-zh.mp3", 9.872)]
    public void Mp3Duration_Fixture_WithinFiftyMilliseconds(string file, double seconds)
    {
        TimeSpan? duration = Mp3Duration.Read(VoiceFixtures.Read(file));

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, seconds - 0.050, seconds + 0.050);
    }

    [Fact]
    public void Mp3Duration_ConstantBitRateAfterId3Tag_CountsOnlyTheFrames()
    {
        // 200 frames of 417 bytes at 128 kbit/s; the 4,180-byte tag in front is full of frame-like bytes.
        byte[] file = CraftedAudio.Mp3Cbr(frames: 200, id3Bytes: 4_180);

        TimeSpan? duration = Mp3Duration.Read(file);

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, 5.2120, 5.2130); // 200 × 417 × 8 / 128,000
    }

    [Fact]
    public void Mp3Duration_XingFrameCount_UsedOverTheFileSize()
    {
        TimeSpan? duration = Mp3Duration.Read(CraftedAudio.Mp3Xing(frameCount: 500));

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, 13.060, 13.062); // 500 × 1152 / 44,100
    }

    [Fact]
    public void Mp3Duration_VbriFrameCount_UsedOverTheFileSize()
    {
        TimeSpan? duration = Mp3Duration.Read(CraftedAudio.Mp3Vbri(frameCount: 1000));

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, 26.121, 26.123); // 1000 × 1152 / 44,100
    }

    [Fact]
    public void Mp3Duration_NoFrame_IsNull() => Assert.Null(Mp3Duration.Read([.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0, .. new byte[500]]));

    [Theory]
    [InlineData("hello-en.m4a", 6.124)]
    [InlineData("nihao-zh.m4a", 9.872)]
    public void Mp4Duration_Fixture_WithinFiftyMilliseconds(string file, double seconds)
    {
        TimeSpan? duration = Mp4Duration.Read(VoiceFixtures.Read(file));

        Assert.NotNull(duration);
        Assert.InRange(duration!.Value.TotalSeconds, seconds - 0.050, seconds + 0.050);
    }

    [Fact]
    public void Mp4Duration_Version1MovieHeader_Read()
    {
        byte[] file = [.. CraftedAudio.FileType(), .. CraftedAudio.Box("mdat", new byte[64]), .. CraftedAudio.Box("moov", CraftedAudio.MovieHeader(1, 48_000, 48_000UL * 90))];

        Assert.Equal(TimeSpan.FromSeconds(90), Mp4Duration.Read(file));
    }

    [Fact]
    public void Mp4Duration_MovieHeaderUnknown_LongestTrackUsed()
    {
        byte[] Track(uint scale, ulong duration) => CraftedAudio.Box("trak", CraftedAudio.Box("mdia", CraftedAudio.MovieHeader(0, scale, duration, "mdhd")));
        byte[] moov = CraftedAudio.Box("moov", CraftedAudio.MovieHeader(0, 1000, uint.MaxValue), Track(22_050, 22_050 * 4), Track(1000, 7_500));

        Assert.Equal(TimeSpan.FromSeconds(7.5), Mp4Duration.Read([.. CraftedAudio.FileType(), .. moov]));
    }

    [Fact]
    public void Mp4Duration_BoxSizesThatDoNotFit_IsNull()
    {
        byte[] pastTheEnd = [.. CraftedAudio.FileType(), .. CraftedAudio.Box("moov", CraftedAudio.MovieHeader(0, 1000, 5000))];
        pastTheEnd[CraftedAudio.FileType().Length + 2] = 0x01; // moov's size now runs 64 KB past the file
        byte[] tooSmall = [.. CraftedAudio.FileType(), 0, 0, 0, 4, .. "moov"u8, .. CraftedAudio.MovieHeader(0, 1000, 5000)];
        byte[] hugeLargeSize = [.. CraftedAudio.FileType(), 0, 0, 0, 1, .. "moov"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. CraftedAudio.MovieHeader(0, 1000, 5000)];
        byte[] zeroTimescale = [.. CraftedAudio.FileType(), .. CraftedAudio.Box("moov", CraftedAudio.MovieHeader(0, 0, 5000))];

        Assert.Null(Mp4Duration.Read(pastTheEnd));
        Assert.Null(Mp4Duration.Read(tooSmall));
        Assert.Null(Mp4Duration.Read(hugeLargeSize));
        Assert.Null(Mp4Duration.Read(zeroTimescale));
    }

    [Fact]
    public void FlacDuration_StreamInfo_TotalSamplesOverRate() =>
        Assert.Equal(TimeSpan.FromSeconds(7.5), FlacDuration.Read(CraftedAudio.Flac(16_000, 120_000)));

    [Fact]
    public void WavDuration_ListChunkBeforeFormat_ChunksWalked() =>
        Assert.Equal(TimeSpan.FromSeconds(2), WavDuration.Read(CraftedAudio.WavWithListChunk(byteRate: 32_000, dataBytes: 64_000)));

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

    [Fact]
    public async Task Voice_DeclaredDurationOverRemainingBudget_RefusedBeforeDownload()
    {
        // 6 s on gpt-4o-mini-transcribe is 300 µUSD; the user has 200 left today.
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.0002");
        bool downloaded = false;

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "declared-over", duration: TimeSpan.FromSeconds(6), onDownload: () => downloaded = true));

        Assert.False(downloaded);
        Assert.Equal("Transcribing this would cost up to $0.0003, more than the $0.0002 left in your budget.", sink.Replies.Single().Text);
        Assert.Empty(harness.Transcriber.Uploads);
    }

    [Fact]
    public async Task Voice_MeasuredDurationOverRemainingBudget_RefusedBeforeUpload()
    {
        // No declared duration: the file says 6.118 s, which costs 306 µUSD against 200 left.
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.0002");
        bool downloaded = false;

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "measured-over", onDownload: () => downloaded = true));

        Assert.True(downloaded);
        Assert.Equal("Transcribing this would cost up to $0.000306, more than the $0.0002 left in your budget.", sink.Replies.Single().Text);
        Assert.Empty(harness.Transcriber.Uploads);
        Assert.Empty(harness.Store.Ledger);
    }

    [Fact]
    public async Task Voice_MeasuredDurationWithinBudget_TranscribedAndTheReservationReleased()
    {
        // 700 µUSD fits two notes of 306: only if the first one's reservation is released once it is settled.
        await using EngineHarness harness = EngineHarness.Create(s => s["Budgets:UserDailyUsd"] = "0.0007");

        await harness.SendAsync(Voice("hello-en.ogg", "within-1"));
        RecordingReplySink second = await harness.SendAsync(Voice("hello-en.ogg", "within-2"));

        Assert.Equal(2, harness.Transcriber.Uploads.Count);
        Assert.Equal(ReplyKind.Transcript, second.Replies[0].Kind);
    }

    [Theory]
    [InlineData("hello-en.mp3", 6.124)]
    [InlineData("hello-en.m4a", 6.124)]
    public async Task Voice_NoDeclaredDuration_BilledByTheMeasuredDuration(string file, double seconds)
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(Voice(file, "measured-" + file, fileName: file));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.InRange(row.AudioSeconds, (decimal)seconds - 0.050m, (decimal)seconds + 0.050m);
        Assert.False(row.Estimated);
    }

    [Fact]
    public async Task Voice_UnknownDurationEstimateOverLimit_RefusedBeforeUpload()
    {
        // Nothing reads WebM durations; at the estimate's 3,000 bytes a second this file is 10 min 1 s.
        await using EngineHarness harness = EngineHarness.Create();

        RecordingReplySink sink = await harness.SendAsync(Voice("x", "webm-long", fileName: "clip.webm", bytes: () => CraftedAudio.Webm(3_000 * 601)));

        Assert.Equal("That audio file looks about 10 min 1 s long (estimated from its size); I transcribe at most 10 min 0 s.", sink.Replies.Single().Text);
        Assert.Empty(harness.Transcriber.Uploads);
        Assert.Empty(harness.Store.Ledger);
    }

    [Fact]
    public async Task Voice_UnknownDuration_BilledByTheEstimateMarkedEstimated()
    {
        await using EngineHarness harness = EngineHarness.Create();

        await harness.SendAsync(Voice("x", "webm-short", fileName: "clip.webm", bytes: () => CraftedAudio.Webm(3_000 * 30)));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(30m, row.AudioSeconds);
        Assert.True(row.Estimated);
        Assert.Equal("clip.webm", harness.Transcriber.Uploads.Single().FileName);
    }

    [Fact]
    public async Task Voice_Mp3WhoseHeaderClaimsOneSecond_RefusedByItsSizeOverTheLimit()
    {
        // The Xing header says 38 frames (0.99 s); the file holds 3,000 more of 417 bytes: 1.25 MB, which even at
        // MP3's highest rate (320 kbit/s) plays for 31 s. A Discord attachment declares no duration.
        await using EngineHarness harness = EngineHarness.Create(s => s["Voice:MaxDuration"] = "00:00:30");
        byte[] file = CraftedAudio.Mp3Xing(frameCount: 38, actualFrames: 3_000);
        Assert.InRange(Mp3Duration.Read(file)!.Value.TotalSeconds, 0.98, 1.0);

        RecordingReplySink sink = await harness.SendAsync(Voice("x", "mp3-claims-1s", fileName: "clip.mp3", bytes: () => file));

        Assert.Equal("That audio file is at least 31 s long, judging by its size; I transcribe at most 30 s.", sink.Replies.Single().Text);
        Assert.Empty(harness.Transcriber.Uploads);
        Assert.Empty(harness.Store.Ledger);
    }

    [Fact]
    public async Task Voice_OggWhoseLastGranuleClaimsOneSecond_BilledByItsSizeAndMarkedEstimated()
    {
        // Twenty chained copies of a 6 s note (375 KB) whose last page claims one second: at 256 kbit/s, far above
        // any voice note's rate, those bytes still play for 11.7 s.
        await using EngineHarness harness = EngineHarness.Create();
        byte[] file = CraftedAudio.OggChained(VoiceFixtures.Read("hello-en.ogg"), copies: 20, lastGranule: 48_000 + 312);
        Assert.InRange(OggOpusDuration.Read(file)!.Value.TotalSeconds, 0.9, 1.1);

        await harness.SendAsync(Voice("x", "ogg-claims-1s", bytes: () => file));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(Math.Round(file.Length / 32_000m, 3), row.AudioSeconds);
        Assert.True(row.Estimated);
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1206);
    }

    [Fact]
    public async Task Voice_WavWhoseByteRateFieldLies_BilledAtTheRateItsSamplesPlay()
    {
        // 64,000 bytes of 16 kHz 16-bit mono are 2 s; the header's byte-rate field claims 100 times that rate.
        await using EngineHarness harness = EngineHarness.Create();
        byte[] file = CraftedAudio.WavWithListChunk(byteRate: 32_000, dataBytes: 64_000, claimedByteRate: 3_200_000);
        Assert.Equal(TimeSpan.FromSeconds(0.02), WavDuration.Read(file));

        await harness.SendAsync(Voice("x", "wav-lies", fileName: "memo.wav", bytes: () => file));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(2m, row.AudioSeconds);
        Assert.True(row.Estimated);
    }

    [Fact]
    public async Task Voice_VideoNoteMostlyPicture_BilledByItsDurationNotByTheVideoBytes()
    {
        // A 60 s round video: 480 KB of AAC and 5 MB of picture. Only the sound track's bytes bound the duration.
        await using EngineHarness harness = EngineHarness.Create();
        byte[] file = CraftedAudio.Mp4(
            seconds: 60,
            mdatBytes: 5_480_000,
            CraftedAudio.Track("soun", "mp4a", sampleSize: 1_000, sampleCount: 480, seconds: 60),
            CraftedAudio.Track("vide", "avc1", sampleSize: 10_000, sampleCount: 500, seconds: 60));

        await harness.SendAsync(Voice("x", "video-note", duration: TimeSpan.FromSeconds(60), fileName: "video_note.mp4", bytes: () => file));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(60m, row.AudioSeconds);
        Assert.False(row.Estimated);
        Assert.Equal("video_note.mp4", harness.Transcriber.Uploads.Single().FileName);
    }

    [Fact]
    public async Task Voice_M4aWhoseHeaderClaimsOneSecond_BilledByItsSoundTrackBytes()
    {
        // The movie header says 1 s; the sound track's 800 KB of AAC play for at least 20 s at 320 kbit/s.
        await using EngineHarness harness = EngineHarness.Create();
        byte[] file = CraftedAudio.Mp4(
            seconds: 1,
            mdatBytes: 800_000,
            CraftedAudio.Track("soun", "mp4a", sampleSize: 800, sampleCount: 1_000, seconds: 1));

        await harness.SendAsync(Voice("x", "m4a-claims-1s", fileName: "memo.m4a", bytes: () => file));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(20m, row.AudioSeconds);
        Assert.True(row.Estimated);
    }

    [Fact]
    public async Task Voice_ServerReportsAnotherModel_PricedAsAskedWithTheReportedIdKept()
    {
        // Asked for gpt-4o-mini-transcribe ($0.003/min, what the reservation used); the server says whisper-1 ($0.006/min).
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = u => new Transcript("hi", "whisper-1", TimeSpan.FromSeconds(60));

        await harness.SendAsync(Voice("hello-en.ogg", "reported-other"));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal("whisper-1", row.Model);
        Assert.Equal(3_000, row.Cost.Value);
    }

    [Fact]
    public async Task Voice_ServerReportsDuration_BilledByTheServersDuration()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = u => new Transcript("hi", "gpt-4o-mini-transcribe", TimeSpan.FromSeconds(12.5));

        await harness.SendAsync(Voice("x", "webm-reported", fileName: "clip.webm", bytes: () => CraftedAudio.Webm(3_000 * 30)));

        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.Equal(12.5m, row.AudioSeconds);
        Assert.False(row.Estimated);
    }

    [Fact]
    public async Task Voice_CorruptOggGranule_TranscribedAndBilledByEstimate()
    {
        // The last page claims a position near long.MaxValue: this used to throw OverflowException and the user got
        // "something went wrong".
        await using EngineHarness harness = EngineHarness.Create();
        byte[] corrupt = CraftedAudio.OggWithLastGranule(VoiceFixtures.Read("hello-en.ogg"), long.MaxValue);
        harness.Transcriber.Responder = u => new Transcript("hello bot", "gpt-4o-mini-transcribe", null);

        RecordingReplySink sink = await harness.SendAsync(Voice("x", "corrupt-ogg", bytes: () => corrupt));

        Assert.Equal("🎙 Transcript: hello bot", sink.Replies[0].Text);
        Assert.Equal(ReplyKind.Answer, sink.Replies[1].Kind);
        LedgerEntry row = harness.Store.Ledger.Single(e => e.Kind == LedgerKind.Transcription);
        Assert.True(row.Estimated);
        Assert.Equal(Math.Round(corrupt.Length / 3_000m, 3), row.AudioSeconds);
    }

    [Fact]
    public async Task Voice_ServerCannotReadFormat_ClearReplyAndConversationGoesOn()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = _ => throw new AudioRejectedException(AudioRejection.UnsupportedFormat, "HTTP 400 Invalid file format");

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "rejected"));
        string after = await harness.AskAsync("still there?");

        Assert.Contains("could not read that audio format", sink.Replies.Single().Text, StringComparison.Ordinal);
        Assert.Equal(ReplyKind.Notice, sink.Replies.Single().Kind);
        Assert.DoesNotContain(harness.Store.Ledger, e => e.Kind == LedgerKind.Transcription);
        Assert.Equal("reply to: still there?", after);
    }

    [Theory]
    [InlineData(AudioRejection.TooLong, "too long for it")]
    [InlineData(AudioRejection.TooLarge, "file is too large")]
    [InlineData(AudioRejection.InvalidLanguage, "language hint (Voice:Language)")]
    public async Task Voice_ServerRejectsForAnotherReason_ItsOwnMessage(AudioRejection reason, string expected)
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = _ => throw new AudioRejectedException(reason, "HTTP 400");

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "rejected-" + reason));

        string reply = sink.Replies.Single().Text;
        Assert.Contains(expected, reply, StringComparison.Ordinal);
        Assert.DoesNotContain("audio format", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_UnexplainedBadRequest_TreatedAsFormat()
    {
        await using EngineHarness harness = EngineHarness.Create();
        harness.Transcriber.Responder = _ => throw new ModelCallException(ModelErrorKind.BadRequest, "HTTP 400") { Status = 400 };

        RecordingReplySink sink = await harness.SendAsync(Voice("hello-en.ogg", "bad-request"));

        Assert.Contains("could not read that audio format", sink.Replies.Single().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_AdapterRefusesTheSize_SizeRefusalNotDownloadFailure()
    {
        // Telegram's and Discord's download guards throw this when a file passes their own limit.
        await using EngineHarness harness = EngineHarness.Create();
        IncomingMessage message = EngineHarness.Message("") with
        {
            Audio = new AudioAttachment("big", "voice.ogg", "audio/ogg", null, null, _ => throw new AudioTooLargeException(20L * 1024 * 1024, "Telegram lets bots download files of at most 20 MB.")),
        };

        RecordingReplySink sink = await harness.SendAsync(message);

        Assert.Equal("That audio file is larger than the 20 MB I can take.", sink.Replies.Single().Text);
        Assert.Empty(harness.Transcriber.Uploads);
    }

    [Fact]
    public async Task Voice_LanguageOrModelChanged_NotServedFromTheOldTranscript()
    {
        await using EngineHarness harness = EngineHarness.Create();
        var configuration = (IConfigurationRoot)harness.Get<IConfiguration>();

        await harness.SendAsync(Voice("hello-en.ogg", "same-note"));
        configuration["Voice:Language"] = "zh";
        configuration.Reload();
        await harness.SendAsync(Voice("hello-en.ogg", "same-note"));
        await harness.SendAsync(Voice("hello-en.ogg", "same-note"));
        configuration["OpenAI:TranscriptionModel"] = "whisper-1";
        configuration.Reload();
        await harness.SendAsync(Voice("hello-en.ogg", "same-note"));

        Assert.Equal([null, "zh", "zh"], harness.Transcriber.Uploads.Select(u => u.Language));
        Assert.Equal(3, harness.Store.Ledger.Count(e => e.Kind == LedgerKind.Transcription));
    }
}
