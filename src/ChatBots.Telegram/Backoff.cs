namespace ChatBots.Telegram;

/// <summary>Capped exponential backoff with full jitter (so many bots do not retry in step).</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max)
    {
        double exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        double capped = Math.Min(exponential, max.TotalMilliseconds);
        // Half fixed, half random: never retries immediately, never all at once.
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
