using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Options;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Window;

/// <summary>Builds the messages of a prompt and counts them once.</summary>
public sealed class PromptFactory
{
    private readonly TokenCounter _counter;
    private readonly IOptionsMonitor<EngineOptions> _options;
    private readonly ConcurrentDictionary<SystemKey, (ChatMessage, int)> _systemCache = new();

    public PromptFactory(TokenCounter counter, IOptionsMonitor<EngineOptions> options)
    {
        _counter = counter;
        _options = options;
    }

    public TokenCounter Counter => _counter;

    /// <summary>The system prompt: who the bot is, where, and today's date, then the configured instructions.</summary>
    public string SystemText(Platform platform, DateTimeOffset now, bool isGroup) => BuildSystemText(_options.CurrentValue, platform, now, isGroup);

    /// <summary>The system prompt for the given settings (also used to validate <c>Engine:SystemPrompt</c> against the budget at start).</summary>
    public static string BuildSystemText(EngineOptions options, Platform platform, DateTimeOffset now, bool isGroup)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder(256);
        text.Append(CultureInfo.InvariantCulture, $"You are {options.BotName}, chatting on {PlatformName(platform)}. ");
        text.Append(CultureInfo.InvariantCulture, $"Today is {now.UtcDateTime:dddd, d MMMM yyyy} (UTC).");
        if (isGroup)
        {
            text.Append(" Several people share this chat; each user message carries its author's name.");
        }

        if (!string.IsNullOrWhiteSpace(options.SystemPrompt))
        {
            text.Append('\n').Append(options.SystemPrompt.Trim());
        }

        return text.ToString();
    }

    /// <summary>
    /// The system message and its count for this platform, day and kind of chat. Its text changes once a day (the
    /// date) or on a settings reload, so it is built and counted once and reused instead of being rebuilt and
    /// re-tokenized on every turn (measured in 2026-11 as about half of a turn's prompt work).
    /// </summary>
    public (ChatMessage Message, int Tokens) SystemFor(Platform platform, DateTimeOffset now, bool isGroup, string encoding)
    {
        EngineOptions o = _options.CurrentValue;
        var key = new SystemKey(platform, DateOnly.FromDateTime(now.UtcDateTime), isGroup, encoding, o.BotName, o.SystemPrompt);
        if (_systemCache.TryGetValue(key, out (ChatMessage, int) cached))
        {
            return cached;
        }

        if (_systemCache.Count > 64)
        {
            _systemCache.Clear(); // yesterday's entries; bounded whatever happens
        }

        return _systemCache[key] = System(SystemText(platform, now, isGroup), encoding);
    }

    public (ChatMessage Message, int Tokens) System(string text, string encoding) =>
        (new ChatMessage(ChatRole.System, text), _counter.CountMessage("system", text, null, encoding));

    public (ChatMessage Message, int Tokens) Summary(string text, string encoding)
    {
        string content = "Summary of the earlier conversation:\n" + text;
        return (new ChatMessage(ChatRole.System, content), _counter.CountMessage("system", content, null, encoding));
    }

    /// <summary>A chat message for a turn; user turns in group histories carry a sanitised name.</summary>
    public static ChatMessage ToMessage(StoredTurn turn) =>
        new(turn.Role == TurnRole.User ? ChatRole.User : ChatRole.Assistant, turn.Text) { AuthorName = turn.AuthorName };

    public int CountTurn(TurnRole role, string text, string? name, string encoding) =>
        _counter.CountMessage(RoleName(role), text, name, encoding);

    /// <summary>A turn's tokens besides its text (see <see cref="TokenCounter.Framing"/>).</summary>
    public int TurnFraming(TurnRole role, string? name, string encoding) => _counter.Framing(RoleName(role), name, encoding);

    private static string RoleName(TurnRole role) => role == TurnRole.User ? "user" : "assistant";

    /// <summary>
    /// OpenAI accepts names matching <c>^[a-zA-Z0-9_-]{1,64}$</c> only: other characters become <c>_</c>, runs collapse,
    /// and a name with no usable character becomes <c>user_&lt;id&gt;</c>.
    /// </summary>
    public static string SanitizeName(string displayName, string authorId)
    {
        var name = new StringBuilder(Math.Min(displayName.Length, 64));
        foreach (char c in displayName)
        {
            if (name.Length == 64)
            {
                break;
            }

            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';
            if (ok)
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '_')
            {
                name.Append('_');
            }
        }

        string result = name.ToString().Trim('_');
        if (result.Length == 0)
        {
            string id = new([.. authorId.Where(char.IsAsciiLetterOrDigit)]);
            result = "user_" + (id.Length > 40 ? id[^40..] : id);
        }

        return result;
    }

    private static string PlatformName(Platform platform) => platform switch
    {
        Platform.Telegram => "Telegram",
        Platform.Discord => "Discord",
        _ => "a terminal console",
    };
}
