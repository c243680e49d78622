namespace ChatBots.Discord.Api;

/// <summary>
/// The Identifies of the last hour as persisted under <c>discord:identifies:{shard}</c> (Unix milliseconds), so the
/// hourly circuit breaker survives a restart: a process that crashes and is restarted must not get a fresh budget.
/// </summary>
internal sealed record StoredIdentifies(IReadOnlyList<long> At);
