namespace ChatBots.Discord.Api;

/// <summary>The resumable session as persisted under <c>discord:session:{shard}</c>, so a restarted host resumes instead of identifying.</summary>
/// <remarks>
/// The bot's own user and application ids come only with READY, which a resumed session never sees again, so they are
/// kept with it: without the self id a resumed adapter could not tell mentions, replies or its own messages apart.
/// </remarks>
internal sealed record StoredSession(string SessionId, string ResumeGatewayUrl, long? Seq, int ShardId, int ShardCount, string? SelfUserId = null, string? ApplicationId = null);
