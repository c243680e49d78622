using System.Net;

namespace ChatBots.Discord.Rest;

/// <summary>A Discord REST call failed with a status the client does not retry (or retried until it gave up).</summary>
internal class DiscordHttpException(HttpStatusCode statusCode, string route, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The route template (never the path: interaction paths carry tokens).</summary>
    public string Route { get; } = route;
}
