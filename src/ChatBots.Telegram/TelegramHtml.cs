using System.Text;

namespace ChatBots.Telegram;

/// <summary>
/// Converts the Markdown a model writes into the HTML subset Telegram accepts. Every character of model text is
/// escaped; the only tags are the ones generated here from markers that open and close properly (bold, italic,
/// strikethrough, inline code, fenced code with a language, links). Anything unbalanced stays literal text.
/// </summary>
internal static class TelegramHtml
{
    /// <summary>Escapes text for Telegram HTML (<c>&amp; &lt; &gt; &quot;</c>).</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        AppendEscaped(sb, text);
        return sb.ToString();
    }

    /// <summary>The length Telegram counts for an HTML message: tags removed, each entity one character.</summary>
    public static int PlainLength(string html)
    {
        int length = 0;
        for (int i = 0; i < html.Length; i++)
        {
            char c = html[i];
            if (c == '<')
            {
                int end = html.IndexOf('>', i);
                if (end < 0)
                {
                    return length + (html.Length - i);
                }

                i = end;
            }
            else if (c == '&')
            {
                int end = html.IndexOf(';', i);
                i = end < 0 ? i : end;
                length++;
            }
            else
            {
                length++;
            }
        }

        return length;
    }

    /// <summary>Converts model Markdown to Telegram HTML.</summary>
    public static string FromMarkdown(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var sb = new StringBuilder(markdown.Length + 64);
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        bool first = true;
        while (i < lines.Length)
        {
            if (!first)
            {
                sb.Append('\n');
            }

            first = false;
            string line = lines[i];
            string trimmed = line.TrimStart(' ');
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                string language = trimmed[3..].Trim();
                var code = new List<string>();
                i++;
                while (i < lines.Length && lines[i].Trim() != "```")
                {
                    code.Add(lines[i]);
                    i++;
                }

                // A fence left open runs to the end of the text, as Markdown renderers show it.
                i++;
                AppendCodeBlock(sb, language, string.Join('\n', code));
                continue;
            }

            AppendLine(sb, line);
            i++;
        }

        return sb.ToString();
    }

    private static void AppendCodeBlock(StringBuilder sb, string language, string code)
    {
        sb.Append("<pre>");
        if (IsSafeLanguage(language))
        {
            sb.Append("<code class=\"language-").Append(language).Append("\">");
            AppendEscaped(sb, code);
            sb.Append("</code>");
        }
        else
        {
            AppendEscaped(sb, code);
        }

        sb.Append("</pre>");
    }

    private static bool IsSafeLanguage(string language) =>
        language.Length is > 0 and <= 32 && language.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '_' or '#' or '.');

    private static void AppendLine(StringBuilder sb, string line)
    {
        // "# Heading" has no Telegram equivalent; bold keeps the emphasis.
        int hashes = 0;
        while (hashes < line.Length && hashes < 6 && line[hashes] == '#')
        {
            hashes++;
        }

        if (hashes > 0 && hashes < line.Length && line[hashes] == ' ' && line[(hashes + 1)..].Trim().Length > 0)
        {
            sb.Append("<b>");
            AppendInline(sb, line[(hashes + 1)..].Trim());
            sb.Append("</b>");
            return;
        }

        AppendInline(sb, line);
    }

    /// <summary>Inline Markdown of one line: code spans, links, bold, italic, strikethrough.</summary>
    private static void AppendInline(StringBuilder sb, string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && IsMarker(text[i + 1]))
            {
                AppendEscaped(sb, text[i + 1]);
                i += 2;
                continue;
            }

            if (c == '`' && TryCodeSpan(sb, text, ref i))
            {
                continue;
            }

            if (c == '[' && TryLink(sb, text, ref i))
            {
                continue;
            }

            if ((c == '*' || c == '_') && i + 1 < text.Length && text[i + 1] == c && TryWrap(sb, text, ref i, new string(c, 2), "b"))
            {
                continue;
            }

            if (c == '~' && i + 1 < text.Length && text[i + 1] == '~' && TryWrap(sb, text, ref i, "~~", "s"))
            {
                continue;
            }

            if ((c == '*' || c == '_') && TryWrap(sb, text, ref i, c.ToString(), "i"))
            {
                continue;
            }

            AppendEscaped(sb, c);
            i++;
        }
    }

    private static bool IsMarker(char c) => c is '*' or '_' or '`' or '[' or ']' or '(' or ')' or '~' or '\\' or '#';

    private static bool TryCodeSpan(StringBuilder sb, string text, ref int i)
    {
        int run = 0;
        while (i + run < text.Length && text[i + run] == '`')
        {
            run++;
        }

        string marker = new('`', run);
        int close = text.IndexOf(marker, i + run, StringComparison.Ordinal);
        while (close >= 0 && close + run < text.Length && text[close + run] == '`')
        {
            close = text.IndexOf(marker, close + run + 1, StringComparison.Ordinal);
        }

        if (close < 0 || close == i + run)
        {
            AppendEscaped(sb, marker);
            i += run;
            return true;
        }

        string content = text[(i + run)..close];
        if (run > 1 && content.Length > 2 && content[0] == ' ' && content[^1] == ' ')
        {
            content = content[1..^1];
        }

        sb.Append("<code>");
        AppendEscaped(sb, content);
        sb.Append("</code>");
        i = close + run;
        return true;
    }

    private static bool TryLink(StringBuilder sb, string text, ref int i)
    {
        int closeBracket = FindClosingBracket(text, i);
        if (closeBracket < 0 || closeBracket + 1 >= text.Length || text[closeBracket + 1] != '(')
        {
            return false;
        }

        int closeParen = text.IndexOf(')', closeBracket + 2);
        if (closeParen < 0)
        {
            return false;
        }

        string label = text[(i + 1)..closeBracket];
        string url = text[(closeBracket + 2)..closeParen].Trim();
        if (label.Length == 0 || !IsSafeUrl(url))
        {
            return false;
        }

        sb.Append("<a href=\"");
        AppendEscaped(sb, url);
        sb.Append("\">");
        AppendInline(sb, label);
        sb.Append("</a>");
        i = closeParen + 1;
        return true;
    }

    private static int FindClosingBracket(string text, int open)
    {
        int depth = 0;
        for (int j = open; j < text.Length; j++)
        {
            if (text[j] == '[')
            {
                depth++;
            }
            else if (text[j] == ']' && --depth == 0)
            {
                return j;
            }
        }

        return -1;
    }

    private static bool IsSafeUrl(string url) =>
        !url.Contains(' ', StringComparison.Ordinal) &&
        (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
         url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
         url.StartsWith("tg://", StringComparison.OrdinalIgnoreCase) ||
         url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase));

    /// <summary>Wraps text between a matching pair of <paramref name="marker"/> in a tag; false leaves the marker to be literal.</summary>
    private static bool TryWrap(StringBuilder sb, string text, ref int i, string marker, string tag)
    {
        int start = i + marker.Length;
        // An opener must touch its text: "2 * 3" and "* item" are not emphasis.
        if (start >= text.Length || char.IsWhiteSpace(text[start]))
        {
            return false;
        }

        // snake_case words are not emphasis.
        if (marker[0] == '_' && i > 0 && char.IsLetterOrDigit(text[i - 1]))
        {
            return false;
        }

        int close = FindCloser(text, start, marker);
        if (close < 0)
        {
            return false;
        }

        sb.Append('<').Append(tag).Append('>');
        AppendInline(sb, text[start..close]);
        sb.Append("</").Append(tag).Append('>');
        i = close + marker.Length;
        return true;
    }

    private static int FindCloser(string text, int from, string marker)
    {
        int j = from;
        while (j < text.Length)
        {
            char c = text[j];
            if (c == '\\')
            {
                j += 2;
                continue;
            }

            // Markers inside a code span belong to the code.
            if (c == '`')
            {
                int end = text.IndexOf('`', j + 1);
                if (end < 0)
                {
                    return -1;
                }

                j = end + 1;
                continue;
            }

            if (string.CompareOrdinal(text, j, marker, 0, marker.Length) == 0 && j > from && !char.IsWhiteSpace(text[j - 1]))
            {
                bool doubled = j + marker.Length < text.Length && text[j + marker.Length] == marker[0];
                bool wordAfter = marker[0] == '_' && j + marker.Length < text.Length && char.IsLetterOrDigit(text[j + marker.Length]);
                // A single marker must not be half of a double one ("*a **b**": the first * stays open).
                if (!(marker.Length == 1 && doubled) && !wordAfter)
                {
                    return j;
                }

                if (marker.Length == 1 && doubled)
                {
                    j += 2;
                    continue;
                }
            }

            j++;
        }

        return -1;
    }

    private static void AppendEscaped(StringBuilder sb, string text)
    {
        foreach (char c in text)
        {
            AppendEscaped(sb, c);
        }
    }

    private static void AppendEscaped(StringBuilder sb, char c)
    {
        switch (c)
        {
            case '&':
                sb.Append("&amp;");
                break;
            case '<':
                sb.Append("&lt;");
                break;
            case '>':
                sb.Append("&gt;");
                break;
            case '"':
                sb.Append("&quot;");
                break;
            default:
                sb.Append(c);
                break;
        }
    }
}
