namespace ChatBots.Engine.Conversations;

/// <summary>
/// One message addressed to the bot, already mapped from the platform's shape. Platform types stop here.
/// </summary>
/// <param name="Conversation">Which history the message belongs to.</param>
/// <param name="AuthorId">The platform user id of the author (digits for Telegram and Discord).</param>
/// <param name="AuthorName">The author's display name, given to the model in shared group histories.</param>
/// <param name="Text">The text with the bot's own mention removed; may be empty when only audio came.</param>
public sealed record IncomingMessage(ConversationKey Conversation, string AuthorId, string AuthorName, string Text)
{
    /// <summary>The platform's id of this message (used to reply to it and to deduplicate).</summary>
    public string? MessageId { get; init; }

    /// <summary>The message the reply should quote or reference; usually <see cref="MessageId"/>.</summary>
    public string? ReplyToMessageId { get; init; }

    /// <summary>True when several people share this conversation, so user turns carry the author's name.</summary>
    public bool IsGroup { get; init; }

    /// <summary>An optional voice note or audio file.</summary>
    public AudioAttachment? Audio { get; init; }

    /// <summary>The user id qualified by platform (<c>telegram:42</c>), as allow-lists, admins and the ledger name users.</summary>
    public string QualifiedAuthorId => $"{Conversation.Platform.ToString().ToLowerInvariant()}:{AuthorId}";
}
