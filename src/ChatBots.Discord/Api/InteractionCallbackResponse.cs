namespace ChatBots.Discord.Api;

/// <summary>
/// The body of an interaction callback sent with <c>?with_response=true</c>: the message the response created is in
/// <see cref="Resource"/> (for type 4) and its id also in <see cref="Interaction"/>.
/// </summary>
internal sealed record InteractionCallbackResponse(InteractionCallbackInfo? Interaction, InteractionCallbackResource? Resource)
{
    public string? MessageId => Resource?.Message?.Id is { Length: > 0 } id ? id : Interaction?.ResponseMessageId;
}
