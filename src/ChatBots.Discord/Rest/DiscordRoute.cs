namespace ChatBots.Discord.Rest;

/// <summary>
/// One REST route: the template and method select the rate-limit bucket, <paramref name="MajorId"/> (channel, guild,
/// webhook) keeps other resources on their own budget. Logs name the template, never the path.
/// </summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Template">The route template, for buckets and logs.</param>
/// <param name="MajorId">The top-level resource.</param>
/// <param name="ExemptFromGlobal">Interaction routes do not count toward the global 50/s limit.</param>
/// <param name="InteractionToken">
/// Authorized by the interaction token in the path, not the bot token: a 401 here means that one interaction expired
/// (15 minutes) or was answered too late, not that the bot token was revoked.
/// </param>
internal sealed record DiscordRoute(HttpMethod Method, string Template, string MajorId, bool ExemptFromGlobal = false, bool InteractionToken = false)
{
    public string Key => $"{Method.Method} {Template}";
}
