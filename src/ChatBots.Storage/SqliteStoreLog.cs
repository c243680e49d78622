using Microsoft.Extensions.Logging;

namespace ChatBots.Storage;

internal static partial class SqliteStoreLog
{
    [LoggerMessage(5001, LogLevel.Information, "Opened store {Path} at schema version {Version}")]
    public static partial void Opened(ILogger logger, string path, int version);

    [LoggerMessage(5002, LogLevel.Information, "Applied schema migration {Version} to {Path}")]
    public static partial void Migrated(ILogger logger, int version, string path);

    [LoggerMessage(5003, LogLevel.Warning, "Could not checkpoint the write-ahead log of {Path} on close; SQLite replays it on the next open")]
    public static partial void CheckpointFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(5004, LogLevel.Warning, "The stored settings of {Conversation} are unreadable ({Problem}); using the defaults until an admin sets them again")]
    public static partial void UnreadableSettings(ILogger logger, string conversation, string problem);

    [LoggerMessage(5005, LogLevel.Warning, "The stored context cap of {Conversation} ({Cap} tokens) is outside the allowed range; using {Bounded}")]
    public static partial void SettingsCapOutOfRange(ILogger logger, string conversation, int cap, int bounded);
}
