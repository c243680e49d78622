using System.Text.Json;

namespace ChatBots.Discord.Gateway;

/// <summary>One op-0 event handed from the receive loop to the adapter's handler.</summary>
internal sealed record GatewayDispatch(string Type, JsonElement Data, long? Sequence);
