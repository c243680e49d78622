namespace ChatBots.Discord.Gateway;

/// <summary>What each gateway close code means for us (see docs: Opcodes and Status Codes).</summary>
internal static class GatewayCloseCodes
{
    public static ConnectionOutcome Classify(int? code, string? description)
    {
        string reason = code is null ? "connection lost without a close frame" : $"closed with {code} {description}".TrimEnd();
        return code switch
        {
            4004 or 4010 or 4011 or 4012 or 4013 or 4014 => new ConnectionOutcome(ReconnectAction.Fatal, reason, code),

            // Not authenticated, invalid seq, session timed out: the session is gone, start a new one.
            4003 or 4007 or 4009 => new ConnectionOutcome(ReconnectAction.Identify, reason, code),

            // Rate limited: resumable, but back off first.
            4008 => new ConnectionOutcome(ReconnectAction.Resume, reason, code, Immediate: false),

            // 4000, 4001, 4002, 4005, 1006 / dropped and anything unknown: the session stays resumable for a while.
            _ => new ConnectionOutcome(ReconnectAction.Resume, reason, code),
        };
    }

    /// <summary>The fix for a fatal close, in words an operator can act on.</summary>
    public static string DescribeFatal(int? code) => code switch
    {
        4004 => "Discord rejected the bot token (close 4004). Set Discord:BotToken to the token from the Developer Portal, Bot page (Reset Token).",
        4010 => "Discord rejected the shard (close 4010). Check Discord:ShardId and Discord:ShardCount.",
        4011 => "Discord requires sharding for this bot (close 4011). Set Discord:ShardCount (and run one instance per Discord:ShardId).",
        4012 => "Discord rejected the gateway API version (close 4012). This build speaks v10; update ChatBots.",
        4013 => "Discord rejected the intents (close 4013). Discord:Intents contains invalid bits; the default is 37377.",
        4014 => "Discord refused a privileged intent (close 4014). Enable the Message Content intent in the Discord Developer Portal, Bot page (Privileged Gateway Intents), or remove 32768 from Discord:Intents.",
        _ => $"Discord closed the gateway with {code}; not reconnecting.",
    };
}
