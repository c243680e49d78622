using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Voice;

/// <summary>What the bot does with a voice note.</summary>
public enum VoiceMode
{
    /// <summary>Reply with the transcript, then answer it like typed text.</summary>
    TranscribeAndAnswer,

    /// <summary>Reply with the transcript only.</summary>
    TranscriptOnly,

    /// <summary>Reply with an English translation of the speech.</summary>
    Translate,
}

/// <summary>Voice messages: behaviour and limits. Section <c>Voice</c>.</summary>
public sealed class VoiceOptions
{
    public const string Section = "Voice";

    public VoiceMode Mode { get; set; } = VoiceMode.TranscribeAndAnswer;

    /// <summary>Optional ISO-639-1 language hint (<c>en</c>, <c>zh</c>); empty lets the model detect it.</summary>
    public string Language { get; set; } = "";

    /// <summary>Longest voice note accepted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00", ErrorMessage = "Voice:MaxDuration must be between 1 second and 2 hours.")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest file sent to the transcription API (OpenAI accepts 25 MB).</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "Voice:MaxFileBytes must be between 1 and 1000000000.")]
    public long MaxFileBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Largest file a Telegram bot may download through the public Bot API (20 MB).</summary>
    [Range(1, 2_000_000_000, ErrorMessage = "Voice:TelegramMaxFileBytes must be between 1 and 2000000000.")]
    public long TelegramMaxFileBytes { get; set; } = 20L * 1024 * 1024;
}
