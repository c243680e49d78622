using System.Text.Json.Nodes;

namespace ChatBots.Testing.Telegram;

/// <summary>Any Bot API call the fake received (method lower-cased), with its parameters and status code.</summary>
public sealed record TelegramRequest(string Method, JsonObject Parameters, int StatusCode, DateTimeOffset At);
