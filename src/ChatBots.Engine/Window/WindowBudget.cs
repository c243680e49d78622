using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Tokens;

namespace ChatBots.Engine.Window;

/// <summary>
/// The token arithmetic of one prompt: Budget = min(model window, conversation cap) − reserved output − margin, and
/// never above the model's own input limit (less the margin) when it has one.
/// Eviction starts above <see cref="HighWater"/> and goes down to <see cref="LowWater"/> in one step.
/// </summary>
public readonly record struct WindowBudget(int Budget, int HighWater, int LowWater, int ReservedOutput)
{
    /// <param name="model">The chat model.</param>
    /// <param name="options">The engine's settings.</param>
    /// <param name="extraMargin">Tokens learned from a server that counted more than we did.</param>
    /// <param name="contextTokenCap">The conversation's own cap (<c>/settings cap</c>); null uses <see cref="EngineOptions.ContextTokenCap"/>.</param>
    /// <summary>
    /// What is left of <see cref="Budget"/> for the new message (its framing included) after the system prompt, the
    /// summary's share and the reply priming; negative when they do not fit.
    /// </summary>
    public int MessageRoom(int systemTokens, int summaryAllowance) => Budget - systemTokens - summaryAllowance - TokenCounter.ReplyPriming;

    public static WindowBudget For(ModelInfo model, EngineOptions options, int extraMargin = 0, int? contextTokenCap = null)
    {
        int cap = contextTokenCap ?? options.ContextTokenCap;
        int window = model.ContextWindow > 0 ? Math.Min(model.ContextWindow, cap) : cap;
        int reserved = model.MaxOutputTokens > 0 ? Math.Min(options.MaxReplyTokens, model.MaxOutputTokens) : options.MaxReplyTokens;
        reserved = Math.Min(reserved, window / 2);
        int budget = window - reserved - options.SafetyMarginTokens - extraMargin;
        if (model.MaxInputTokens is { } maxInput)
        {
            // gpt-5 takes 272K of its 400K window as input: the rest is output only.
            budget = Math.Min(budget, maxInput - options.SafetyMarginTokens - extraMargin);
        }

        budget = Math.Max(64, budget);
        return new WindowBudget(
            budget,
            (int)(budget * options.HighWaterMark),
            (int)(budget * options.LowWaterMark),
            reserved);
    }
}
