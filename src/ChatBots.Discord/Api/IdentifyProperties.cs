namespace ChatBots.Discord.Api;

internal sealed record IdentifyProperties(string Os, string Browser, string Device);
