namespace ChatBots.Discord.Api;

/// <summary>The <c>interaction</c> of an interaction callback response.</summary>
internal sealed record InteractionCallbackInfo(string? Id, string? ResponseMessageId);
