namespace ChatBots.Storage;

/// <summary>
/// The database was written by a newer build: opening it could misread or damage what that build stored. A type of its
/// own so the host can report it as a storage problem without catching every <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class SchemaTooNewException(string message) : InvalidOperationException(message);
