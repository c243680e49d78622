using ChatBots.Engine.Conversations;
using ChatBots.Engine.Options;

namespace ChatBots.Engine.Processing;

/// <summary>Who may talk to the bot where: the allow-lists of <see cref="AccessOptions"/>.</summary>
internal static class AccessRules
{
    /// <summary>Admins always; others when both allow-lists (empty = everyone) let them.</summary>
    public static bool IsAllowed(AccessOptions access, string qualifiedUserId, ConversationKey conversation)
    {
        if (IsAdmin(access, qualifiedUserId))
        {
            return true;
        }

        bool userOk = access.AllowedUsers.Count == 0 || access.AllowedUsers.Contains(qualifiedUserId, StringComparer.OrdinalIgnoreCase);
        string key = conversation.ToString();
        bool conversationOk = access.AllowedConversations.Count == 0 || access.AllowedConversations.Any(entry => ConversationMatches(entry, key));
        return userOk && conversationOk;
    }

    public static bool IsAdmin(AccessOptions access, string qualifiedUserId) =>
        access.Admins.Contains(qualifiedUserId, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// An entry allows its conversation and everything inside it: <c>telegram:-100123</c> allows its topics
    /// (<c>telegram:-100123/7</c>) and the per-user histories in them (<c>telegram:-100123/7:u42</c>,
    /// <c>telegram:-100123/-:u42</c>); <c>telegram:-100123/7</c> allows <c>telegram:-100123/7:u42</c>. A different chat
    /// never matches by prefix: <c>telegram:-1001</c> does not allow <c>telegram:-10012</c>.
    /// </summary>
    public static bool ConversationMatches(string entry, string conversationKey)
    {
        string allowed = entry.Trim();
        if (allowed.Length == 0 || !conversationKey.StartsWith(allowed, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (conversationKey.Length == allowed.Length)
        {
            return true;
        }

        // Inside a chat, a thread or topic follows '/'; inside a thread, a per-user history follows ':'.
        char boundary = allowed.Contains('/', StringComparison.Ordinal) ? ':' : '/';
        return conversationKey[allowed.Length] == boundary;
    }
}
