namespace ChatBots.Engine.Processing;

/// <summary>
/// Reads <c>/name</c>, <c>/name args</c> and <c>/name@botname</c> (Telegram style) at the start of a message. The name is
/// 1–32 of <c>[A-Za-z0-9_]</c> (Telegram's and Discord's command alphabet) and must end at whitespace or the end of the
/// text; anything else (<c>/usr/bin/x crashes, why?</c>, <c>/api/v1?</c>, <c>/ hello</c>) is ordinary text for the model.
/// </summary>
public static class CommandParser
{
    private const int MaxNameLength = 32;

    public static ParsedCommand Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().TrimStart();
        if (t.Length < 2 || t[0] != '/')
        {
            return ParsedCommand.None;
        }

        int end = 1;
        while (end < t.Length && IsNameChar(t[end]))
        {
            end++;
        }

        int nameLength = end - 1;
        if (nameLength is 0 or > MaxNameLength)
        {
            return ParsedCommand.None;
        }

        string name = t[1..end].ToString().ToLowerInvariant();
        if (end < t.Length && t[end] == '@')
        {
            // /name@botname: the bot's username, same alphabet, then whitespace or the end.
            int bot = end + 1;
            while (bot < t.Length && IsNameChar(t[bot]))
            {
                bot++;
            }

            if (bot == end + 1)
            {
                return ParsedCommand.None;
            }

            end = bot;
        }

        if (end < t.Length && !char.IsWhiteSpace(t[end]))
        {
            return ParsedCommand.None;
        }

        CommandKind kind = name switch
        {
            "help" or "start" => CommandKind.Help,
            "reset" or "new" => CommandKind.Reset,
            "usage" or "cost" => CommandKind.Usage,
            "summary" => CommandKind.Summary,
            "settings" => CommandKind.Settings,
            _ => CommandKind.Unknown,
        };
        return new ParsedCommand(kind, name, t[end..].Trim().ToString());
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
