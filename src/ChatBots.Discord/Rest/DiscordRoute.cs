namespace ChatBots.Discord.Rest;

/// <summary>
/// One REST route: the template and method select the rate-limit bucket, <paramref name="MajorId"/> (channel, guild,
/// webhook) keeps other resources on their own budget. Logs name the template, never the path.
/// </summary>
internal sealed record DiscordRoute(HttpMethod Method, string Template, string MajorId, bool ExemptFromGlobal = false)
{
    public string Key => $"{Method.Method} {Template}";
}
