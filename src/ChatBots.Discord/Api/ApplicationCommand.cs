namespace ChatBots.Discord.Api;

/// <summary>A CHAT_INPUT (type 1) slash command as registered.</summary>
internal sealed record ApplicationCommand(string Name, string Description)
{
    public int Type => 1;
}
