using ChatBots.Engine.Models;
using ChatBots.Engine.Options;

namespace ChatBots.Engine.Window;

/// <summary>
/// The token arithmetic of one prompt: Budget = min(model window, conversation cap) − reserved output − margin.
/// Eviction starts above <see cref="HighWater"/> and goes down to <see cref="LowWater"/> in one step.
/// </summary>
public readonly record struct WindowBudget(int Budget, int HighWater, int LowWater, int ReservedOutput)
{
    public static WindowBudget For(ModelInfo model, EngineOptions options, int extraMargin = 0)
    {
        int window = model.ContextWindow > 0 ? Math.Min(model.ContextWindow, options.ContextTokenCap) : options.ContextTokenCap;
        int reserved = model.MaxOutputTokens > 0 ? Math.Min(options.MaxReplyTokens, model.MaxOutputTokens) : options.MaxReplyTokens;
        reserved = Math.Min(reserved, window / 2);
        int budget = Math.Max(64, window - reserved - options.SafetyMarginTokens - extraMargin);
        return new WindowBudget(
            budget,
            (int)(budget * options.HighWaterMark),
            (int)(budget * options.LowWaterMark),
            reserved);
    }
}
