namespace ChatBots.Discord.Gateway;

/// <summary>
/// Privileged intents and the application flags (GET /applications/@me) that say the Developer Portal allows them: the
/// plain flag for bots in 100+ servers (approved), the <c>_LIMITED</c> flag for the portal switch of smaller bots.
/// </summary>
internal static class PrivilegedIntents
{
    private static readonly (int Intent, long Flags)[] Pairs =
    [
        (1 << 1, (1L << 14) | (1L << 15)), // GUILD_MEMBERS: GATEWAY_GUILD_MEMBERS(_LIMITED)
        (1 << 8, (1L << 12) | (1L << 13)), // GUILD_PRESENCES: GATEWAY_PRESENCE(_LIMITED)
        (1 << 15, (1L << 18) | (1L << 19)), // MESSAGE_CONTENT: GATEWAY_MESSAGE_CONTENT(_LIMITED)
    ];

    /// <summary>True when every privileged intent in <paramref name="intents"/> is switched on for the application.</summary>
    public static bool AllowedByPortal(int intents, long applicationFlags) =>
        Pairs.All(p => (intents & p.Intent) == 0 || (applicationFlags & p.Flags) != 0);
}
