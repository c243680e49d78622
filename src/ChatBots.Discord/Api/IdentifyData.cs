namespace ChatBots.Discord.Api;

internal sealed record IdentifyData(string Token, int Intents, IdentifyProperties Properties, int[]? Shard);
