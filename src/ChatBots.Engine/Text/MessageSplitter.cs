namespace ChatBots.Engine.Text;

/// <summary>
/// Splits long text into parts of at most a given length, preferring paragraph, then line, then sentence, then word
/// boundaries. A fenced code block (<c>```lang</c>) that has to be split is closed at the end of one part and reopened,
/// with its language, at the start of the next, so every part renders on its own.
/// </summary>
public static class MessageSplitter
{
    private const string Fence = "```";
    private const string FenceClose = "\n```";

    /// <summary>Splits <paramref name="text"/>; whitespace-only parts are dropped, so empty text gives no parts.</summary>
    public static IReadOnlyList<string> Split(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 100);

        var parts = new List<string>();
        string rest = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string prefix = "";
        while (rest.Length > 0)
        {
            if (prefix.Length + rest.Length <= maxLength)
            {
                Add(parts, prefix + rest);
                break;
            }

            // Reserve room for a closing fence in case this part ends inside a code block.
            int budget = maxLength - prefix.Length - FenceClose.Length;
            int cut = FindCut(rest, budget, out int skip);
            string chunk = prefix + rest[..cut];
            rest = rest[(cut + skip)..];

            string? openFence = OpenFenceAfter(chunk);
            if (openFence is not null)
            {
                Add(parts, chunk.TrimEnd('\n') + FenceClose);
                prefix = openFence + "\n";

                // The block's own closing fence comes right after the cut: ours already closed it, so drop it
                // instead of reopening an empty block in the next part.
                string next = rest.TrimStart('\n');
                int lineEnd = next.IndexOf('\n', StringComparison.Ordinal);
                string firstLine = lineEnd < 0 ? next : next[..lineEnd];
                if (firstLine.Trim() == Fence)
                {
                    rest = lineEnd < 0 ? "" : next[(lineEnd + 1)..];
                    prefix = "";
                }
            }
            else
            {
                Add(parts, chunk);
                prefix = "";
            }

            rest = rest.TrimStart('\n');
        }

        return parts;
    }

    private static void Add(List<string> parts, string part)
    {
        string trimmed = part.TrimEnd();
        if (!string.IsNullOrWhiteSpace(trimmed))
        {
            parts.Add(trimmed);
        }
    }

    /// <summary>Finds where to cut within <paramref name="budget"/> characters; <paramref name="skip"/> separator characters are dropped.</summary>
    private static int FindCut(string text, int budget, out int skip)
    {
        // Never cut so early that parts become tiny; below this, fall through to a finer boundary.
        int minimum = budget / 3;
        int window = Math.Min(budget, text.Length);

        int paragraph = text.LastIndexOf("\n\n", window - 1, window, StringComparison.Ordinal);
        if (paragraph >= minimum && paragraph > 0)
        {
            skip = 2;
            return paragraph;
        }

        int line = text.LastIndexOf('\n', window - 1, window);
        if (line >= minimum && line > 0)
        {
            skip = 1;
            return line;
        }

        int sentence = LastSentenceEnd(text, window);
        if (sentence >= minimum && sentence > 0)
        {
            skip = 1;
            return sentence;
        }

        int space = text.LastIndexOf(' ', window - 1, window);
        if (space >= minimum && space > 0)
        {
            skip = 1;
            return space;
        }

        skip = 0;
        int hard = window;
        if (hard > 1 && char.IsHighSurrogate(text[hard - 1]))
        {
            hard--;
        }

        return hard;
    }

    /// <summary>The index of the space after the last ". ", "! " or "? " within the window, or -1.</summary>
    private static int LastSentenceEnd(string text, int window)
    {
        for (int i = Math.Min(window, text.Length - 1); i > 0; i--)
        {
            if (text[i] == ' ' && text[i - 1] is '.' or '!' or '?' or '。' or '！' or '？')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The opening fence line (<c>```lang</c>) still open at the end of <paramref name="text"/>, or null.</summary>
    public static string? OpenFenceAfter(string text)
    {
        string? open = null;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.TrimStart(' ');
            if (!line.StartsWith(Fence, StringComparison.Ordinal))
            {
                continue;
            }

            if (open is null)
            {
                string header = line.TrimEnd();
                // An absurdly long info string would eat the next part's budget; keep the language only.
                open = header.Length > 40 ? header[..40] : header;
            }
            else if (line.TrimEnd() == Fence)
            {
                open = null;
            }
        }

        return open;
    }
}
