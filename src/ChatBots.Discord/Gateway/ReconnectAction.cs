namespace ChatBots.Discord.Gateway;

internal enum ReconnectAction
{
    /// <summary>Open <c>resume_gateway_url</c> and send op 6 (when a session exists).</summary>
    Resume,

    /// <summary>Forget session and sequence together, open the base gateway URL, Identify.</summary>
    Identify,

    /// <summary>Never reconnect: the configuration must be fixed.</summary>
    Fatal,
}
