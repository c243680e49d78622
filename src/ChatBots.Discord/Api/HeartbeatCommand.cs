using System.Text.Json.Serialization;

namespace ChatBots.Discord.Api;

/// <summary>Op 1. <c>d</c> must be present even when null (no dispatch seen yet).</summary>
internal sealed record HeartbeatCommand([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? D)
{
    public int Op => 1;
}
