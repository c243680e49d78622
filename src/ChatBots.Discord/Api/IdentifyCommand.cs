namespace ChatBots.Discord.Api;

/// <summary>Op 2: starts a new session.</summary>
internal sealed record IdentifyCommand(IdentifyData D)
{
    public int Op => 2;
}
