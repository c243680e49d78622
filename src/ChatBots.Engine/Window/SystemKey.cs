using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Window;

/// <summary>What the system prompt depends on: a cached system message is valid while all of it is unchanged.</summary>
internal readonly record struct SystemKey(Platform Platform, DateOnly Day, bool IsGroup, string Encoding, string BotName, string Instructions);
