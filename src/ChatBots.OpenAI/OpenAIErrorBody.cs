using System.Text.Json;

namespace ChatBots.OpenAI;

/// <summary>
/// The parts of an OpenAI-shaped error body (<c>{"error":{"message","type","param","code"}}</c>) we classify by.
/// Compatible servers vary: some send <c>{"error":"text"}</c> or a bare <c>{"message":...}</c>, so every field is optional.
/// </summary>
internal sealed record OpenAIErrorBody(string? Code, string? Type, string? Message)
{
    public static readonly OpenAIErrorBody Empty = new(null, null, null);

    public bool IsQuotaExhausted => Is(Code, "insufficient_quota") || Is(Type, "insufficient_quota");

    public bool IsContextTooLong =>
        Is(Code, "context_length_exceeded")
        || Is(Type, "exceed_context_size_error")
        || Contains(Message, "context size")
        || Contains(Message, "context length")
        || Contains(Message, "context window")
        || Contains(Message, "too many tokens");

    public bool IsInvalidApiKey => Is(Code, "invalid_api_key");

    public bool IsModelNotFound => Is(Code, "model_not_found");

    public static OpenAIErrorBody Parse(BinaryData? content)
    {
        if (content is null || content.IsEmpty)
        {
            return Empty;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(content.ToMemory());
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Empty;
            }

            if (root.TryGetProperty("error", out JsonElement error))
            {
                return error.ValueKind switch
                {
                    JsonValueKind.Object => new(Text(error, "code"), Text(error, "type"), Text(error, "message")),
                    JsonValueKind.String => new(null, null, error.GetString()),
                    _ => Empty,
                };
            }

            return new(Text(root, "code"), Text(root, "type"), Text(root, "message") ?? Text(root, "detail"));
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, a plain-text error): keep a little of it as the message.
            string text = content.ToString();
            return new(null, null, text.Length > 200 ? text[..200] : text);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? value, string part) =>
        value is not null && value.Contains(part, StringComparison.OrdinalIgnoreCase);
}
