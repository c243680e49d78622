using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Options;

/// <summary>Which models the engine uses. Read from section <c>OpenAI</c> (keys <c>OpenAI:Model</c>, <c>OpenAI:SummaryModel</c>, <c>OpenAI:TranscriptionModel</c>, <c>OpenAI:TranslationModel</c>).</summary>
public sealed class ModelSelectionOptions
{
    public const string Section = "OpenAI";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:Model must name a chat model, e.g. gpt-4o-mini.")]
    public string Model { get; set; } = "gpt-6-luna";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:SummaryModel must name a (cheap) chat model, e.g. gpt-4o-mini.")]
    public string SummaryModel { get; set; } = "gpt-6-luna";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:TranscriptionModel must name a transcription model, e.g. gpt-4o-mini-transcribe.")]
    public string TranscriptionModel { get; set; } = "gpt-4o-mini-transcribe";

    [Required(AllowEmptyStrings = false, ErrorMessage = "OpenAI:TranslationModel must name a model of the audio translation endpoint, e.g. whisper-1.")]
    public string TranslationModel { get; set; } = "whisper-1";
}
