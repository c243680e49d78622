namespace ChatBots.Discord.Api;

/// <summary>Interaction callback: type 4 answers with a message, type 5 defers (the user sees "thinking…").</summary>
internal sealed record InteractionResponse(int Type, InteractionCallbackData? Data);
