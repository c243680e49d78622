using System.Text.Json;

namespace ChatBots.Discord.Api;

/// <summary>The gateway envelope as received: <c>s</c> and <c>t</c> are null unless <c>op</c> is 0.</summary>
internal sealed record GatewayPayload
{
    public int Op { get; init; }

    public JsonElement? D { get; init; }

    public long? S { get; init; }

    public string? T { get; init; }
}
