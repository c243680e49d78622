using System.Text.Json;

namespace ChatBots.Discord.Gateway;

/// <summary>One op-0 event handed from the receive loop to the adapter's handler.</summary>
/// <param name="Type">The event name (<c>t</c>).</param>
/// <param name="Data">The event data (<c>d</c>).</param>
/// <param name="Sequence">The sequence (<c>s</c>).</param>
/// <param name="Epoch">The session epoch it belongs to (see <see cref="GatewaySession"/>).</param>
/// <param name="Tracked">
/// True for MESSAGE_CREATE: it counts as unfinished until the handler calls <see cref="DiscordGatewayClient.Finish"/>, and
/// the sequence persisted for a restart stays below it until then.
/// </param>
internal sealed record GatewayDispatch(string Type, JsonElement Data, long? Sequence, int Epoch = 0, bool Tracked = false);
