using System.Globalization;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>What a simulation runs with: the model, the context cap every policy gets, and the engine's window settings.</summary>
public sealed record SimSettings(string Model = "gpt-4o-mini", int Cap = 16_000, double HighWater = 0.9, double LowWater = 0.55, int SummaryMaxTokens = 600)
{
    public string Label => string.Create(CultureInfo.InvariantCulture, $"high {HighWater:0.##} / low {LowWater:0.##} / summary {SummaryMaxTokens}");

    public Dictionary<string, string?> EngineSettings() => new()
    {
        ["OpenAI:Model"] = Model,
        ["OpenAI:SummaryModel"] = Model,
        ["Engine:BotName"] = "ChatBots",
        ["Engine:ContextTokenCap"] = Cap.ToString(CultureInfo.InvariantCulture),
        ["Engine:HighWaterMark"] = HighWater.ToString(CultureInfo.InvariantCulture),
        ["Engine:LowWaterMark"] = LowWater.ToString(CultureInfo.InvariantCulture),
        ["Engine:SummaryMaxTokens"] = SummaryMaxTokens.ToString(CultureInfo.InvariantCulture),
    };
}
