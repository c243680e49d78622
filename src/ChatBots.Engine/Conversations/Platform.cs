namespace ChatBots.Engine.Conversations;

/// <summary>Where a conversation lives. Stored by name, so never renumber.</summary>
public enum Platform
{
    Console = 0,
    Telegram = 1,
    Discord = 2,
}
