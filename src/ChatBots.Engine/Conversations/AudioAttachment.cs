namespace ChatBots.Engine.Conversations;

/// <summary>
/// A voice note or audio file attached to a message, described from the platform's metadata so that limits
/// can be checked before anything is downloaded.
/// </summary>
/// <param name="UniqueId">The platform's stable id of the file content (Telegram <c>file_unique_id</c>, Discord attachment id); transcripts are cached by it.</param>
/// <param name="FileName">A file name whose extension names the real format (<c>voice.ogg</c>).</param>
/// <param name="MimeType">The declared content type, when the platform gives one.</param>
/// <param name="SizeBytes">The size the platform reports, when it does.</param>
/// <param name="Duration">The duration the platform reports, when it does.</param>
/// <param name="OpenAsync">Downloads the file; called only after the limits passed.</param>
public sealed record AudioAttachment(
    string UniqueId,
    string FileName,
    string? MimeType,
    long? SizeBytes,
    TimeSpan? Duration,
    Func<CancellationToken, Task<Stream>> OpenAsync);
