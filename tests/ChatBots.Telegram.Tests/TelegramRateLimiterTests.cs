using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Telegram.Tests;

public sealed class TelegramRateLimiterTests
{
    /// <summary>
    /// Acquires in turn, advancing a fake clock in small steps only while the limiter waits, so the observed time of
    /// each acquisition is exactly when the limiter let it through.
    /// </summary>
    private static async Task<List<TimeSpan>> AcquireAsync(FakeTimeProvider time, TelegramRateLimiter limiter, IEnumerable<long> chats, TimeSpan step)
    {
        DateTimeOffset start = time.GetUtcNow();
        var at = new List<TimeSpan>();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (long chat in chats)
        {
            Task wait = limiter.WaitAsync(chat, guard.Token);
            while (!wait.IsCompleted)
            {
                time.Advance(step);
                await Task.Delay(1, guard.Token);
            }

            await wait;
            at.Add(time.GetUtcNow() - start);
        }

        return at;
    }

    [Fact]
    public async Task WaitAsync_OneChat_AboutOneMessagePerSecondAfterAShortBurst()
    {
        var time = new FakeTimeProvider();
        var limiter = new TelegramRateLimiter(time);

        List<TimeSpan> at = await AcquireAsync(time, limiter, Enumerable.Repeat(42L, 9), TimeSpan.FromMilliseconds(50));

        Assert.True(at[8] - at[0] >= TimeSpan.FromSeconds(6), $"9 messages in {at[8] - at[0]}");
        Assert.All(at.Zip(at.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromMilliseconds(250)));
    }

    [Fact]
    public async Task WaitAsync_Group_AtMostTwentyPerMinute()
    {
        var time = new FakeTimeProvider();
        var limiter = new TelegramRateLimiter(time);

        List<TimeSpan> at = await AcquireAsync(time, limiter, Enumerable.Repeat(-100123L, 21), TimeSpan.FromSeconds(1));

        Assert.True(at[20] - at[0] >= TimeSpan.FromMinutes(1), $"21 group messages in {at[20] - at[0]}");
    }

    [Fact]
    public async Task WaitAsync_ManyChats_AtMostThirtyPerSecondOverall()
    {
        var time = new FakeTimeProvider();
        var limiter = new TelegramRateLimiter(time);

        List<TimeSpan> at = await AcquireAsync(time, limiter, Enumerable.Range(1, 31).Select(i => (long)i), TimeSpan.FromMilliseconds(50));

        Assert.True(at[30] - at[0] >= TimeSpan.FromSeconds(1), $"31 messages in {at[30] - at[0]}");
    }
}
