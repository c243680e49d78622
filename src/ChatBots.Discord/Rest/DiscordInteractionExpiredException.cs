using System.Net;

namespace ChatBots.Discord.Rest;

/// <summary>
/// Discord answered 401 on a route authorized by an interaction token (usually 50027 Invalid Webhook Token): that
/// interaction can no longer be answered through its token. Only this request failed; the bot token is fine.
/// </summary>
internal sealed class DiscordInteractionExpiredException(string route, string error)
    : DiscordHttpException(HttpStatusCode.Unauthorized, route, $"Discord {route} refused the interaction token (HTTP 401: {error}); the interaction expired.");
