namespace ChatBots.Discord;

/// <summary>Discord's size limits.</summary>
internal static class DiscordLimits
{
    /// <summary>Characters in a message's content (UTF-16 length is safe: it is at least the character count).</summary>
    public const int MessageLength = 2000;

    /// <summary>Characters in a create-message <c>nonce</c>.</summary>
    public const int NonceLength = 25;
}
