using System.Net;

namespace ChatBots.Discord.Rest;

/// <summary>Discord answered 401: the token is wrong. The REST client refuses every later call.</summary>
internal sealed class DiscordUnauthorizedException(string route)
    : DiscordHttpException(HttpStatusCode.Unauthorized, route, Explanation)
{
    /// <summary>What the operator must do, for logs and the adapter's fault reason.</summary>
    internal const string Explanation = "Discord rejected the bot token (HTTP 401). Set Discord:BotToken to the token from the Developer Portal, Bot page (Reset Token).";
}
