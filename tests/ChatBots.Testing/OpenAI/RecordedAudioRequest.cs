namespace ChatBots.Testing.OpenAI;

/// <summary>What one multipart upload to <c>/v1/audio/transcriptions</c> or <c>/v1/audio/translations</c> carried.</summary>
public sealed record RecordedAudioRequest
{
    /// <summary><c>transcriptions</c> or <c>translations</c>.</summary>
    public required string Endpoint { get; init; }

    public required string Model { get; init; }

    public required string FileName { get; init; }

    /// <summary>The file part's Content-Type.</summary>
    public string? ContentType { get; init; }

    public required byte[] Bytes { get; init; }

    public int Length => Bytes.Length;

    public string? Language { get; init; }

    public string? ResponseFormat { get; init; }

    public string? Prompt { get; init; }

    public string? Authorization { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }
}
