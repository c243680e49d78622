using System.Text.Json.Serialization;

namespace ChatBots.Discord.Api;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GatewayPayload))]
[JsonSerializable(typeof(HeartbeatCommand))]
[JsonSerializable(typeof(IdentifyCommand))]
[JsonSerializable(typeof(ResumeCommand))]
[JsonSerializable(typeof(HelloData))]
[JsonSerializable(typeof(ReadyData))]
[JsonSerializable(typeof(GatewayBotInfo))]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(CreateMessageRequest))]
[JsonSerializable(typeof(EditMessageRequest))]
[JsonSerializable(typeof(ApplicationInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommand>))]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(InteractionCallbackData))]
[JsonSerializable(typeof(InteractionCallbackResponse))]
[JsonSerializable(typeof(StartThreadRequest))]
[JsonSerializable(typeof(DiscordChannel))]
[JsonSerializable(typeof(GuildCreateData))]
[JsonSerializable(typeof(RateLimitBody))]
[JsonSerializable(typeof(StoredSession))]
[JsonSerializable(typeof(StoredIdentifies))]
[JsonSerializable(typeof(StoredFatalClose))]
[JsonSerializable(typeof(bool))]
internal sealed partial class DiscordJsonContext : JsonSerializerContext;
