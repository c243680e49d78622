namespace ChatBots.Discord.Gateway;

/// <summary>Discord refused us in a way retrying cannot fix (bad token, disallowed intents, …); the message names the fix.</summary>
internal sealed class DiscordFatalException(int? closeCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int? CloseCode { get; } = closeCode;
}
