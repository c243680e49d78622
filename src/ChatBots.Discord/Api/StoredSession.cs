namespace ChatBots.Discord.Api;

/// <summary>The resumable session as persisted under <c>discord:session:{shard}</c>, so a restarted host resumes instead of identifying.</summary>
internal sealed record StoredSession(string SessionId, string ResumeGatewayUrl, long? Seq, int ShardId, int ShardCount);
