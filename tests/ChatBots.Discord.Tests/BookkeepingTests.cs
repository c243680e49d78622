using ChatBots.Discord.Adapter;
using ChatBots.Discord.Gateway;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

/// <summary>The small pieces that keep replies from being lost or repeated across restarts.</summary>
public sealed class BookkeepingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GatewaySession_UnfinishedMessages_ResumePointStopsShortOfTheOldest()
    {
        var session = new GatewaySession();
        session.Restore("session-1", "ws://resume", 10);
        Assert.True(session.TryAdvance(11, track: true, out int epoch));
        Assert.True(session.TryAdvance(12, track: false, out _));
        Assert.True(session.TryAdvance(13, track: true, out _));

        Assert.Equal(10, session.ResumePoint().Seq);
        Assert.Equal(13, session.Snapshot().Seq); // a live reconnect still resumes at the latest sequence

        session.Finish(epoch, 11);
        Assert.Equal(12, session.ResumePoint().Seq);
        session.Finish(epoch, 13);
        Assert.Equal(13, session.ResumePoint().Seq);
    }

    [Fact]
    public void GatewaySession_FinishFromDroppedSession_DoesNotTouchTheNewOne()
    {
        var session = new GatewaySession();
        session.Restore("old", "ws://resume", 1);
        Assert.True(session.TryAdvance(2, track: true, out int oldEpoch));

        // Re-identified: the new session's sequences start again at 1.
        session.Clear();
        session.Start("new", "ws://resume");
        Assert.True(session.TryAdvance(1, track: false, out _));
        Assert.True(session.TryAdvance(2, track: true, out _));
        session.Finish(oldEpoch, 2);

        Assert.Equal(1, session.ResumePoint().Seq);
    }

    [Fact]
    public void ReplyNonce_PartsOfOneTrigger_DistinctStableAndWithinDiscordsLimit()
    {
        string trigger = "18446744073709551615"; // the largest snowflake: 20 digits

        string[] nonces = [.. new[] { ReplyKind.Answer, ReplyKind.Transcript, ReplyKind.Notice }.SelectMany(k => Enumerable.Range(0, 3).Select(i => ReplyNonce.For(trigger, k, i)))];

        Assert.Equal(nonces.Length, nonces.Distinct().Count());
        Assert.All(nonces, n => Assert.InRange(n.Length, 1, 25));
        Assert.Equal(ReplyNonce.For(trigger, ReplyKind.Answer, 2), ReplyNonce.For(trigger, ReplyKind.Answer, 2));
        Assert.Equal(25, ReplyNonce.For(trigger, ReplyKind.Answer, 123_456).Length);
    }

    [Fact]
    public async Task AnsweredMarkers_Prune_DropsMarkersOlderThanAWeekAndBeyondTheCap()
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryKeyValueStore();
        var markers = new AnsweredMarkers(store, time, NullLogger.Instance);
        await store.SetAsync("discord:answered:old", (Now - TimeSpan.FromDays(8)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        await store.SetAsync("discord:answered:garbled", "yesterday", CancellationToken.None);
        await markers.MarkAsync("recent", CancellationToken.None);

        int removed = await markers.PruneAsync(CancellationToken.None);

        Assert.Equal(2, removed);
        Assert.Equal(["discord:answered:recent"], (await store.ListAsync("discord:answered:", CancellationToken.None)).Select(e => e.Key));
        Assert.True(await markers.IsAnsweredAsync("recent", CancellationToken.None));
        Assert.False(await markers.IsAnsweredAsync("old", CancellationToken.None));
    }

    [Fact]
    public async Task AnsweredMarkers_MoreThanTheCap_OnlyTheNewestKept()
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryKeyValueStore();
        var markers = new AnsweredMarkers(store, time, NullLogger.Instance);
        for (int i = 0; i < AnsweredMarkers.MaxCount + 3; i++)
        {
            await markers.MarkAsync(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, await markers.PruneAsync(CancellationToken.None));

        Assert.Equal(AnsweredMarkers.MaxCount, (await store.ListAsync("discord:answered:", CancellationToken.None)).Count);
        Assert.False(await markers.IsAnsweredAsync("000002", CancellationToken.None));
        Assert.True(await markers.IsAnsweredAsync("000003", CancellationToken.None));
    }

    [Fact]
    public async Task Adapter_Start_DropsAnsweredMarkersOlderThanAWeek()
    {
        var store = new InMemoryKeyValueStore();
        long now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        await store.SetAsync("discord:answered:1100000000000000001", (now - (long)TimeSpan.FromDays(8).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        await store.SetAsync("discord:answered:1100000000000000002", (now - 60).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);

        await using DiscordTestHost env = await DiscordTestHost.StartAsync(store: store);
        await env.WaitForLogAsync(3018);

        Assert.Equal(["discord:answered:1100000000000000002"], (await store.ListAsync("discord:answered:", CancellationToken.None)).Select(e => e.Key));
    }
}
