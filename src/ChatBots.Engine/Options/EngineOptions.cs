using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Options;

/// <summary>How the engine talks, how much history it keeps, and how much it works at once. Section <c>Engine</c>.</summary>
public sealed class EngineOptions : IValidatableObject
{
    public const string Section = "Engine";

    /// <summary>The bot's name, given to the model in the system prompt.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Engine:BotName must not be empty.")]
    public string BotName { get; set; } = "ChatBots";

    /// <summary>Instructions placed after the generated first line (name, platform, date).</summary>
    public string SystemPrompt { get; set; } = "You are a helpful, concise assistant. Answer in the language the user writes in. Use Markdown sparingly.";

    /// <summary>How many conversations may call a model at the same time.</summary>
    [Range(1, 1024, ErrorMessage = "Engine:MaxConcurrentConversations must be between 1 and 1024.")]
    public int MaxConcurrentConversations { get; set; } = 8;

    /// <summary>How many messages one conversation may have waiting; beyond that the user is told the bot is busy.</summary>
    [Range(1, 10_000, ErrorMessage = "Engine:LaneCapacity must be between 1 and 10000.")]
    public int LaneCapacity { get; set; } = 32;

    /// <summary>The least <see cref="ContextTokenCap"/> (and a conversation's own cap) may be.</summary>
    public const int MinContextTokenCap = 1_024;

    /// <summary>The most <see cref="ContextTokenCap"/> (and a conversation's own cap) may be.</summary>
    public const int MaxContextTokenCap = 10_000_000;

    /// <summary>Upper bound of a conversation's prompt, whatever the model's window (tokens). Smaller is cheaper.</summary>
    [Range(MinContextTokenCap, MaxContextTokenCap, ErrorMessage = "Engine:ContextTokenCap must be between 1024 and 10000000 tokens.")]
    public int ContextTokenCap { get; set; } = 16_000;

    /// <summary>Output tokens reserved for each answer (capped by the model's own limit).</summary>
    [Range(16, 1_000_000, ErrorMessage = "Engine:MaxReplyTokens must be between 16 and 1000000.")]
    public int MaxReplyTokens { get; set; } = 1_024;

    /// <summary>Tokens kept free besides the reply, for count drift on models whose framing differs.</summary>
    [Range(0, 100_000, ErrorMessage = "Engine:SafetyMarginTokens must be between 0 and 100000.")]
    public int SafetyMarginTokens { get; set; } = 128;

    /// <summary>When the prompt passes this share of the budget, the oldest turns are folded into the summary.</summary>
    [Range(0.1, 1.0, ErrorMessage = "Engine:HighWaterMark must be between 0.1 and 1.0 (a share of the prompt budget).")]
    public double HighWaterMark { get; set; } = 0.9;

    /// <summary>Eviction stops once the prompt is at or below this share of the budget.</summary>
    [Range(0.05, 1.0, ErrorMessage = "Engine:LowWaterMark must be between 0.05 and 1.0 (a share of the prompt budget).")]
    public double LowWaterMark { get; set; } = 0.4;

    /// <summary>Upper bound of the rolling summary (tokens).</summary>
    [Range(32, 100_000, ErrorMessage = "Engine:SummaryMaxTokens must be between 32 and 100000.")]
    public int SummaryMaxTokens { get; set; } = 600;

    /// <summary>Append tokens and cost to each answer.</summary>
    public bool CostFooter { get; set; }

    /// <summary>Time a conversation's lane stays alive (and its history in memory) after its last message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Engine:IdleLaneTimeout must be between 1 second and 1 day.")]
    public TimeSpan IdleLaneTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LowWaterMark >= HighWaterMark)
        {
            yield return new ValidationResult(
                "Engine:LowWaterMark must be below Engine:HighWaterMark.",
                [nameof(LowWaterMark), nameof(HighWaterMark)]);
        }
    }
}
