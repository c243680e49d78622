using System.Text.Json.Serialization;

namespace ChatBots.Discord.Api;

internal sealed record ResumeData(string Token, string SessionId, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Seq);
