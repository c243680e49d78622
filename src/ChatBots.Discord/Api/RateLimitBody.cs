namespace ChatBots.Discord.Api;

/// <summary>The JSON body of a 429.</summary>
internal sealed record RateLimitBody
{
    public string? Message { get; init; }

    /// <summary>Seconds (fractional).</summary>
    public double RetryAfter { get; init; }

    public bool Global { get; init; }
}
