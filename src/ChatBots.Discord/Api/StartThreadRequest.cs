namespace ChatBots.Discord.Api;

internal sealed record StartThreadRequest(string Name, int AutoArchiveDuration);
