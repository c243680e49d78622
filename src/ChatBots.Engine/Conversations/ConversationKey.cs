using System.Globalization;

namespace ChatBots.Engine.Conversations;

/// <summary>
/// Identifies one conversation: a platform chat or channel, and optionally a thread or forum topic inside it.
/// The string form (<c>telegram:-100123/45</c>) is what the store and the allow-lists use.
/// </summary>
public readonly record struct ConversationKey(Platform Platform, string ChatId, string? ThreadId = null)
{
    public override string ToString()
    {
        string platform = Platform.ToString().ToLowerInvariant();
        return ThreadId is null ? $"{platform}:{ChatId}" : $"{platform}:{ChatId}/{ThreadId}";
    }

    /// <summary>Parses the form produced by <see cref="ToString"/>.</summary>
    public static ConversationKey Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !Enum.TryParse(value[..colon], ignoreCase: true, out Platform platform) || !Enum.IsDefined(platform))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{value}' is not a conversation key such as telegram:12345 or discord:123/456."));
        }

        string rest = value[(colon + 1)..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new ConversationKey(platform, rest)
            : new ConversationKey(platform, rest[..slash], rest[(slash + 1)..]);
    }
}
