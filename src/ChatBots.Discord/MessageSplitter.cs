namespace ChatBots.Discord;

/// <summary>
/// Splits text into parts of at most <c>limit</c> UTF-16 units (Discord counts characters, so this is safe), preferring
/// paragraph, then line, then sentence, then word boundaries. A code fence open at a cut is closed at the end of the part
/// and reopened (with its language) at the start of the next, so every part renders on its own.
/// </summary>
public static class MessageSplitter
{
    /// <summary>Discord's message content limit.</summary>
    public const int DiscordLimit = 2000;

    private const string Fence = "```";
    private const string FenceClose = "\n```";

    public static IReadOnlyList<string> Split(string text, int limit = DiscordLimit)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64);

        List<string> parts = [];
        string remaining = text.Trim('\n', '\r');
        string? openFence = null;
        while (remaining.Length > 0)
        {
            string prefix = openFence is null ? "" : openFence + "\n";
            if (prefix.Length + remaining.Length <= limit)
            {
                Add(parts, prefix + remaining);
                break;
            }

            // Room for a closing fence in case the cut lands inside a code block.
            int budget = limit - prefix.Length - FenceClose.Length;
            (int cut, int separator) = FindCut(remaining, budget);
            string chunk = remaining[..cut];
            string? fenceAtEnd = ScanFences(openFence, chunk);
            string part = prefix + chunk.TrimEnd();
            if (fenceAtEnd is not null)
            {
                part += FenceClose;
            }

            Add(parts, part);
            openFence = fenceAtEnd;
            remaining = remaining[(cut + separator)..];
            if (openFence is not null && IsFenceLine(remaining.TrimStart('\n', '\r'), out int fenceLineLength))
            {
                // The cut fell just before the block's own closing fence: our added fence already closes it, so drop
                // that line instead of reopening an empty block in the next part.
                remaining = remaining.TrimStart('\n', '\r')[fenceLineLength..];
                openFence = null;
            }

            if (openFence is null)
            {
                // Outside code, leading blank lines would only render as empty space.
                remaining = remaining.TrimStart();
            }
            else if (remaining.StartsWith('\n'))
            {
                remaining = remaining[1..];
            }
        }

        return parts;
    }

    private static bool IsFenceLine(string text, out int lineLength)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        string line = end < 0 ? text : text[..end];
        lineLength = line.Length;
        return line.Trim() == Fence;
    }

    /// <summary>The fence line still open after <paramref name="chunk"/>, given the one open before it.</summary>
    private static string? ScanFences(string? openFence, string chunk)
    {
        string? open = openFence;
        foreach (string line in chunk.Split('\n'))
        {
            string trimmed = line.Trim();
            if (!trimmed.StartsWith(Fence, StringComparison.Ordinal))
            {
                continue;
            }

            // Reopen with the language tag; an absurdly long opening line is reopened as a bare fence.
            open = open is null ? (trimmed.Length <= 32 ? trimmed : Fence) : null;
        }

        return open;
    }

    private static (int Cut, int Separator) FindCut(string text, int budget)
    {
        int floor = budget / 2;
        string window = text[..Math.Min(budget + 1, text.Length)];

        int paragraph = window.LastIndexOf("\n\n", budget - 1, StringComparison.Ordinal);
        if (paragraph >= floor)
        {
            return (paragraph, 2);
        }

        int line = window.LastIndexOf('\n', Math.Min(budget, window.Length - 1));
        if (line >= floor)
        {
            return (line, 1);
        }

        int sentence = -1;
        foreach (string end in new[] { ". ", "! ", "? ", ".\t", "。" })
        {
            int at = window.LastIndexOf(end, Math.Min(budget, window.Length - 1), StringComparison.Ordinal);
            if (at >= 0 && at + 1 <= budget)
            {
                sentence = Math.Max(sentence, at + 1);
            }
        }

        if (sentence >= floor)
        {
            return (sentence, 0);
        }

        int space = window.LastIndexOf(' ', Math.Min(budget, window.Length - 1));
        if (space >= floor)
        {
            return (space, 1);
        }

        // No boundary: hard cut, but never between the halves of a surrogate pair.
        int cut = budget;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return (cut, 0);
    }

    private static void Add(List<string> parts, string part)
    {
        if (!string.IsNullOrWhiteSpace(part))
        {
            parts.Add(part);
        }
    }
}
