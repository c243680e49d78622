namespace ChatBots.Telegram.Tests;

public sealed class TelegramRateLimiterTests
{
    private static async Task<List<TimeSpan>> AcquireAsync(ClockPump clock, TelegramRateLimiter limiter, IEnumerable<long> chats)
    {
        DateTimeOffset start = clock.Time.GetUtcNow();
        var at = new List<TimeSpan>();
        foreach (long chat in chats)
        {
            await limiter.WaitAsync(chat, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            at.Add(clock.Time.GetUtcNow() - start);
        }

        return at;
    }

    [Fact]
    public async Task WaitAsync_OneChat_AboutOneMessagePerSecondAfterAShortBurst()
    {
        await using ClockPump clock = ClockPump.Start();
        var limiter = new TelegramRateLimiter(clock.Time);

        List<TimeSpan> at = await AcquireAsync(clock, limiter, Enumerable.Repeat(42L, 9));

        Assert.True(at[8] - at[0] >= TimeSpan.FromSeconds(6), $"9 messages in {at[8] - at[0]}");
        Assert.All(at.Zip(at.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromMilliseconds(250)));
    }

    [Fact]
    public async Task WaitAsync_Group_AtMostTwentyPerMinute()
    {
        await using ClockPump clock = ClockPump.Start(TimeSpan.FromSeconds(1));
        var limiter = new TelegramRateLimiter(clock.Time);

        List<TimeSpan> at = await AcquireAsync(clock, limiter, Enumerable.Repeat(-100123L, 21));

        Assert.True(at[20] - at[0] >= TimeSpan.FromMinutes(1), $"21 group messages in {at[20] - at[0]}");
    }

    [Fact]
    public async Task WaitAsync_ManyChats_AtMostThirtyPerSecondOverall()
    {
        await using ClockPump clock = ClockPump.Start(TimeSpan.FromMilliseconds(50));
        var limiter = new TelegramRateLimiter(clock.Time);

        List<TimeSpan> at = await AcquireAsync(clock, limiter, Enumerable.Range(1, 31).Select(i => (long)i));

        Assert.True(at[30] - at[0] >= TimeSpan.FromSeconds(1), $"31 messages in {at[30] - at[0]}");
    }
}
