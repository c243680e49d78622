namespace ChatBots.Engine.Models;

/// <summary>The tiktoken encodings the engine counts with.</summary>
public static class TokenEncodings
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    /// <summary>Canonical name; anything unknown becomes <c>o200k_base</c>, the encoding of every current OpenAI chat model.</summary>
    public static string Normalize(string? name) =>
        string.Equals(name, Cl100kBase, StringComparison.OrdinalIgnoreCase) ? Cl100kBase : O200kBase;
}
