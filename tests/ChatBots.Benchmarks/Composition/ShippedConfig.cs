using ChatBots.Engine.Options;
using Microsoft.Extensions.Configuration;

namespace ChatBots.Benchmarks.Composition;

/// <summary>
/// The settings ChatBots ships: the engine's option defaults overlaid with the committed <c>config/appsettings.json</c>,
/// bound the way the host binds them. The simulator and the benchmarks start from these, so their figures describe what
/// a user gets without configuring anything.
/// </summary>
internal static class ShippedConfig
{
    private static readonly Lazy<(EngineOptions Engine, ModelSelectionOptions Models)> Loaded = new(() => Load(File));

    /// <summary>The committed <c>config/appsettings.json</c>, copied beside the benchmark binaries.</summary>
    public static string File => Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json");

    public static EngineOptions Engine => Loaded.Value.Engine;

    /// <summary>The configured chat model (<c>OpenAI:Model</c>).</summary>
    public static string Model => Loaded.Value.Models.Model;

    private static (EngineOptions, ModelSelectionOptions) Load(string file)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false).Build();
        var engine = new EngineOptions();
        configuration.GetSection(EngineOptions.Section).Bind(engine);
        var models = new ModelSelectionOptions();
        configuration.GetSection(ModelSelectionOptions.Section).Bind(models);
        return (engine, models);
    }
}
