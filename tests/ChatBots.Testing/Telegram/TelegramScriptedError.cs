using System.Text.Json.Nodes;

namespace ChatBots.Testing.Telegram;

/// <summary>An error the fake answers instead of the normal result, for calls of <see cref="Method"/> that match.</summary>
/// <param name="Method">The Bot API method, case-insensitive.</param>
/// <param name="ErrorCode">The HTTP status and <c>error_code</c>.</param>
/// <param name="Description">The <c>description</c>.</param>
/// <param name="RetryAfterSeconds">Adds <c>parameters.retry_after</c> (for 429).</param>
/// <param name="Times">How many matching calls fail; null for every one.</param>
/// <param name="When">An optional predicate on the request parameters.</param>
public sealed record TelegramScriptedError(
    string Method,
    int ErrorCode,
    string Description,
    int? RetryAfterSeconds = null,
    int? Times = 1,
    Func<JsonObject, bool>? When = null)
{
    internal int Remaining { get; set; } = Times ?? int.MaxValue;
}
