namespace ChatBots.Discord.Api;

/// <summary>
/// Create message. <see cref="Nonce"/> with <see cref="EnforceNonce"/> makes a retried request (5xx, lost response)
/// return the message already created instead of posting it twice.
/// </summary>
internal sealed record CreateMessageRequest(string Content, AllowedMentions AllowedMentions, MessageReference? MessageReference)
{
    public string? Nonce { get; init; }

    public bool? EnforceNonce { get; init; }
}
