namespace ChatBots.Engine.Processing;

/// <summary>A message read as a command: which one, its name as typed (lower case), and the text after it.</summary>
public sealed record ParsedCommand(CommandKind Kind, string Name, string Arguments)
{
    /// <summary>Ordinary text, not a command.</summary>
    public static ParsedCommand None { get; } = new(CommandKind.None, "", "");
}
