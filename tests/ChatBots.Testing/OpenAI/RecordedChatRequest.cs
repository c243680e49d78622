namespace ChatBots.Testing.OpenAI;

/// <summary>What one <c>POST /v1/chat/completions</c> carried.</summary>
public sealed record RecordedChatRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<RecordedChatMessage> Messages { get; init; }

    /// <summary>The legacy <c>max_tokens</c> field.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The <c>max_completion_tokens</c> field the SDK sends for MaxOutputTokens.</summary>
    public int? MaxCompletionTokens { get; init; }

    public double? Temperature { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>The Authorization header, e.g. <c>Bearer sk-...</c>.</summary>
    public string? Authorization { get; init; }

    /// <summary>The Host header: the target's host when the request came through the fake acting as a proxy.</summary>
    public string? Host { get; init; }

    /// <summary>The request target as sent: absolute-form (<c>http://host/v1/...</c>) when sent to a proxy.</summary>
    public string? RawTarget { get; init; }

    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The content of the last user message, or "".</summary>
    public string LastUserText => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
}
