using System.Text.Json.Nodes;

namespace ChatBots.Testing.Discord;

/// <summary>One HTTP request the fake Discord received (REST under <c>/api/v10/</c>, or the CDN).</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">The path after <c>/api/v10/</c> (<c>channels/1/messages</c>), or <c>cdn/…</c> for CDN downloads.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
/// <param name="UserAgent">The User-Agent header, if any.</param>
/// <param name="Body">The raw body.</param>
/// <param name="Json">The body parsed as JSON, when it is JSON.</param>
/// <param name="Timestamp">When it arrived (a timestamp of <see cref="FakeDiscordServer.Clock"/>), for lower-bound timing checks.</param>
/// <remarks>A request is recorded once its response was completely written.</remarks>
/// <param name="Status">The status the fake answered with.</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string? Authorization,
    string? UserAgent,
    string Body,
    JsonNode? Json,
    long Timestamp,
    int Status)
{
    /// <summary>The body the fake answered with (a created message carries its new id).</summary>
    public string? ResponseBody { get; init; }

    /// <summary>The query string, with its <c>?</c> (empty when none).</summary>
    public string Query { get; init; } = "";
}
