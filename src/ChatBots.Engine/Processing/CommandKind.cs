namespace ChatBots.Engine.Processing;

/// <summary>The engine's commands.</summary>
public enum CommandKind
{
    None,
    Help,
    Reset,
    Usage,
    Summary,
    Settings,
    Unknown,
}
