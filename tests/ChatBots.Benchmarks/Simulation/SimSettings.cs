using System.Globalization;
using ChatBots.Benchmarks.Composition;
using ChatBots.Engine.Options;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// What a simulation runs with: the model (chat and summaries), the context cap every policy gets, and the engine's
/// window settings. Start from <see cref="Shipped"/> and override with <c>with</c>, so a run without options measures
/// what ChatBots ships.
/// </summary>
public sealed record SimSettings(string Model, int Cap, double HighWater, double LowWater, int SummaryMaxTokens, int MaxReplyTokens)
{
    /// <summary>
    /// The shipped defaults: <c>EngineOptions</c> as the host binds it from <c>config/appsettings.json</c> and the
    /// configured <c>OpenAI:Model</c>.
    /// </summary>
    public static SimSettings Shipped { get; } = From(ShippedConfig.Model, ShippedConfig.Engine);

    public string Label => string.Create(CultureInfo.InvariantCulture, $"high {HighWater:0.##} / low {LowWater:0.##} / summary {SummaryMaxTokens}");

    /// <summary>True when the window settings are the shipped ones (the model may differ).</summary>
    public bool IsShippedWindow =>
        Cap == Shipped.Cap && HighWater.Equals(Shipped.HighWater) && LowWater.Equals(Shipped.LowWater)
        && SummaryMaxTokens == Shipped.SummaryMaxTokens && MaxReplyTokens == Shipped.MaxReplyTokens;

    public static SimSettings From(string model, EngineOptions options) =>
        new(model, options.ContextTokenCap, options.HighWaterMark, options.LowWaterMark, options.SummaryMaxTokens, options.MaxReplyTokens);

    public Dictionary<string, string?> EngineSettings() => new()
    {
        ["OpenAI:Model"] = Model,
        ["OpenAI:SummaryModel"] = Model,
        // What the simulation does not vary is taken as shipped, so the system prompt and margins are the real ones.
        ["Engine:BotName"] = ShippedConfig.Engine.BotName,
        ["Engine:SystemPrompt"] = ShippedConfig.Engine.SystemPrompt,
        ["Engine:SafetyMarginTokens"] = ShippedConfig.Engine.SafetyMarginTokens.ToString(CultureInfo.InvariantCulture),
        ["Engine:ContextTokenCap"] = Cap.ToString(CultureInfo.InvariantCulture),
        ["Engine:MaxReplyTokens"] = MaxReplyTokens.ToString(CultureInfo.InvariantCulture),
        ["Engine:HighWaterMark"] = HighWater.ToString(CultureInfo.InvariantCulture),
        ["Engine:LowWaterMark"] = LowWater.ToString(CultureInfo.InvariantCulture),
        ["Engine:SummaryMaxTokens"] = SummaryMaxTokens.ToString(CultureInfo.InvariantCulture),
    };
}
