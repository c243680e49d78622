namespace ChatBots.Engine.Processing;

/// <summary>The engine's commands.</summary>
public enum CommandKind
{
    None,
    Help,
    Reset,
    Usage,
    Summary,
    Unknown,
}

/// <summary>Parses <c>/cmd</c>, <c>/cmd args</c> and <c>/cmd@botname</c> (Telegram style) at the start of a message.</summary>
public static class CommandParser
{
    public static (CommandKind Kind, string Name) Parse(string text)
    {
        ReadOnlySpan<char> t = text.AsSpan().TrimStart();
        if (t.Length < 2 || t[0] != '/' || !char.IsAsciiLetter(t[1]))
        {
            return (CommandKind.None, "");
        }

        int end = 1;
        while (end < t.Length && !char.IsWhiteSpace(t[end]) && t[end] != '@')
        {
            end++;
        }

        string name = t[1..end].ToString().ToLowerInvariant();
        CommandKind kind = name switch
        {
            "help" or "start" => CommandKind.Help,
            "reset" or "new" => CommandKind.Reset,
            "usage" or "cost" => CommandKind.Usage,
            "summary" => CommandKind.Summary,
            _ => CommandKind.Unknown,
        };
        return (kind, name);
    }
}
