using System.Globalization;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Options;

/// <summary>
/// Fails the start when <c>Engine:SystemPrompt</c> leaves no room for a message in the prompt budget of the chat model
/// (otherwise every message would be cut to nothing, or the prompt sent over the budget).
/// </summary>
internal sealed class EngineOptionsValidator(
    IOptionsMonitor<ModelCatalogueOptions> catalogue,
    IOptionsMonitor<ModelSelectionOptions> models,
    TokenCounter counter) : IValidateOptions<EngineOptions>
{
    /// <summary>The least a message must be able to take (tokens) besides the system prompt and the summary allowance.</summary>
    public const int MinMessageRoom = 64;

    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelCatalogueOptions catalogueOptions;
        string modelId;
        try
        {
            catalogueOptions = catalogue.CurrentValue;
            modelId = models.CurrentValue.Model;
        }
        catch (OptionsValidationException)
        {
            // Their own validation names what is wrong there; without a model there is no budget to check against.
            return ValidateOptionsResult.Skip;
        }

        if (string.IsNullOrWhiteSpace(modelId))
        {
            return ValidateOptionsResult.Skip;
        }

        ModelInfo model = ModelCatalogue.Describe(catalogueOptions, modelId);
        WindowBudget window = WindowBudget.For(model, options);
        int system = LongestSystemPrompt(options, model.Encoding);
        int summaryAllowance = SummaryAllowance(options);
        int room = window.MessageRoom(system, summaryAllowance);
        if (room >= MinMessageRoom)
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(string.Create(
            CultureInfo.InvariantCulture,
            $"Engine:SystemPrompt is too long for the prompt budget: the system prompt takes up to {system:N0} tokens and the summary allowance " +
            $"(Engine:SummaryMaxTokens + framing) {summaryAllowance:N0}, leaving {Math.Max(room, 0):N0} of the budget of {window.Budget:N0} tokens " +
            $"(min({model.Id} window {model.ContextWindow:N0}, Engine:ContextTokenCap {options.ContextTokenCap:N0}) − reply {window.ReservedOutput:N0} − Engine:SafetyMarginTokens {options.SafetyMarginTokens:N0}) " +
            $"for a message; at least {MinMessageRoom} are needed. Shorten Engine:SystemPrompt or raise Engine:ContextTokenCap."));
    }

    /// <summary>The rolling summary's share of the budget, kept free even before there is a summary.</summary>
    public static int SummaryAllowance(EngineOptions options) => options.SummaryMaxTokens + 24;

    /// <summary>The system prompt's tokens at their longest: any platform, a group, the longest day and month names.</summary>
    private int LongestSystemPrompt(EngineOptions options, string encoding)
    {
        int longest = 0;
        foreach (Platform platform in Enum.GetValues<Platform>())
        {
            // 24–30 September 2026 is every weekday with a two-digit day in the longest month name.
            for (int day = 24; day <= 30; day++)
            {
                string text = PromptFactory.BuildSystemText(options, platform, new DateTimeOffset(2026, 9, day, 12, 0, 0, TimeSpan.Zero), isGroup: true);
                longest = Math.Max(longest, counter.CountMessage("system", text, null, encoding));
            }
        }

        return longest;
    }
}
