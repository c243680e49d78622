using System.Collections.Concurrent;
using ChatBots.Engine.Models;
using Microsoft.ML.Tokenizers;

namespace ChatBots.Engine.Tokens;

/// <summary>
/// Exact token counts with OpenAI's tiktoken encodings (Microsoft.ML.Tokenizers), plus the chat framing:
/// every message costs 3 tokens besides its role and content, 1 more when it carries a name, and every
/// request 3 more to prime the reply (OpenAI cookbook, "How to count tokens with tiktoken").
/// Thread-safe; tokenizers are loaded once per encoding.
/// </summary>
public sealed class TokenCounter
{
    /// <summary>Tokens framing each message.</summary>
    public const int PerMessage = 3;

    /// <summary>Extra token for a message that carries a name.</summary>
    public const int PerName = 1;

    /// <summary>Tokens priming the assistant's reply, once per request.</summary>
    public const int ReplyPriming = 3;

    private static readonly ConcurrentDictionary<string, Tokenizer> Tokenizers = new(StringComparer.Ordinal);

    /// <summary>Tokens of plain text, without any framing.</summary>
    public int CountText(string text, string encoding) =>
        string.IsNullOrEmpty(text) ? 0 : GetTokenizer(encoding).CountTokens(text, considerPreTokenization: true, considerNormalization: true);

    /// <summary>Tokens one chat message adds to a request: framing + role + content [+ name + 1].</summary>
    public int CountMessage(string role, string content, string? name, string encoding) =>
        Framing(role, name, encoding) + CountText(content, encoding);

    /// <summary>
    /// The tokens a message adds besides its content: framing + role [+ name + 1]. With <see cref="CountText"/> of the
    /// content it makes <see cref="CountMessage"/>, so a caller that needs both counts the content only once.
    /// </summary>
    public int Framing(string role, string? name, string encoding)
    {
        int count = PerMessage + CountText(role, encoding);
        if (!string.IsNullOrEmpty(name))
        {
            count += CountText(name, encoding) + PerName;
        }

        return count;
    }

    /// <summary>The tokenizer of an encoding (o200k_base for anything unknown).</summary>
    public static Tokenizer GetTokenizer(string encoding) =>
        Tokenizers.GetOrAdd(TokenEncodings.Normalize(encoding), static e => TiktokenTokenizer.CreateForEncoding(e));
}
