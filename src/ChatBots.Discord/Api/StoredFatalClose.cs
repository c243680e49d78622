namespace ChatBots.Discord.Api;

/// <summary>
/// A fatal gateway close as persisted under <c>discord:fatal:{shard}</c>. <see cref="Fingerprint"/> is a SHA-256 of the
/// token, intents and shard settings (never the token itself): while it matches, a restarted host does not identify again.
/// <see cref="ApplicationFlags"/> are the application's flags when Discord refused (null when they could not be read):
/// after a 4014 the host connects again only once the Developer Portal switches changed them.
/// </summary>
internal sealed record StoredFatalClose(int Code, string Fingerprint, long AtUnixMs, long? ApplicationFlags = null);
