using System.Net;
using System.Text;
using ChatBots.Discord.Rest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

public sealed class RateLimiterTests
{
    private static readonly DiscordRoute Route = new(HttpMethod.Post, "channels/{channel.id}/messages", "1");

    [Fact]
    public async Task Limiter_ThousandInvalidRequests_RefusesUntilTenMinuteWindowPasses()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var limiter = new DiscordRateLimiter(Options.Create(new DiscordOptions()), time, NullLogger<DiscordRateLimiter>.Instance);
        for (int i = 0; i < DiscordRateLimiter.InvalidRequestLimit; i++)
        {
            using var forbidden = new HttpResponseMessage(HttpStatusCode.Forbidden);
            await limiter.OnFailureAsync(Route, forbidden, CancellationToken.None);
        }

        await Assert.ThrowsAsync<DiscordRateLimitedException>(() => limiter.AcquireAsync(Route, CancellationToken.None));

        time.Advance(TimeSpan.FromMinutes(10));
        using IDisposable lease = await limiter.AcquireAsync(Route, CancellationToken.None);
        Assert.True(DiscordRateLimiter.InvalidRequestLimit < 10_000);
    }

    [Fact]
    public async Task Limiter_SharedScope429_NotCountedAsInvalid()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var limiter = new DiscordRateLimiter(Options.Create(new DiscordOptions()), time, NullLogger<DiscordRateLimiter>.Instance);
        for (int i = 0; i < DiscordRateLimiter.InvalidRequestLimit; i++)
        {
            using var shared = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent("""{"message":"shared","retry_after":0.001,"global":false}""", Encoding.UTF8, "application/json"),
            };
            shared.Headers.Add("X-RateLimit-Scope", "shared");
            await limiter.OnFailureAsync(Route, shared, CancellationToken.None);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using IDisposable lease = await limiter.AcquireAsync(Route, CancellationToken.None);
        Assert.NotNull(lease);
    }

    [Fact]
    public async Task Limiter_RetryAfterBeyondCap_FailsInsteadOfWaiting()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var limiter = new DiscordRateLimiter(Options.Create(new DiscordOptions { MaxRateLimitWait = TimeSpan.FromSeconds(30) }), time, NullLogger<DiscordRateLimiter>.Instance);
        using var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            Content = new StringContent("""{"message":"slow down","retry_after":3600,"global":false}""", Encoding.UTF8, "application/json"),
        };

        TimeSpan wait = await limiter.OnFailureAsync(Route, limited, CancellationToken.None);

        Assert.Equal(TimeSpan.FromHours(1), wait);
        DiscordRateLimitedException ex = await Assert.ThrowsAsync<DiscordRateLimitedException>(() => limiter.AcquireAsync(Route, CancellationToken.None));
        Assert.Contains("Discord:MaxRateLimitWait", ex.Message, StringComparison.Ordinal);
    }
}
