using System.Net;

namespace ChatBots.Discord.Rest;

/// <summary>The request was not sent (or not retried) because the wait would exceed the cap or the invalid-request guard tripped.</summary>
internal sealed class DiscordRateLimitedException(string route, string message)
    : DiscordHttpException(HttpStatusCode.TooManyRequests, route, message);
