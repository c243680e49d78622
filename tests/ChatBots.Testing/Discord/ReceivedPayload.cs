using System.Text.Json.Nodes;

namespace ChatBots.Testing.Discord;

/// <summary>One gateway payload the fake received from the client.</summary>
/// <param name="Op">The opcode.</param>
/// <param name="D">The <c>d</c> field (null when absent or JSON null).</param>
/// <param name="Raw">The whole frame as text.</param>
/// <param name="Timestamp">When it arrived (a timestamp of <see cref="FakeDiscordServer.Clock"/>).</param>
public sealed record ReceivedPayload(int Op, JsonNode? D, string Raw, long Timestamp)
{
    /// <summary>True for a heartbeat whose <c>d</c> is JSON null.</summary>
    public bool HasNullData => D is null;
}
