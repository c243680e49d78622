using System.Globalization;
using System.Text;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// <c>simulate [--script NAME] [--model ID] [--cap TOKENS] [--high X] [--low Y] [--summary N] [--reply N] [--sweep]
/// [--floor] [--keep N,M]</c>: replays the committed scripts under ChatBots and the two baselines and prints Markdown
/// tables. Every setting not given is the shipped one (<see cref="SimSettings.Shipped"/>). <c>--sweep</c> adds ChatBots
/// runs over a grid of water marks and summary bounds; <c>--floor</c> adds the unavoidable cost of keeping the last N
/// exchanges verbatim (<see cref="FloorAnalysis"/>, N = 8 and 4 unless <c>--keep</c> says otherwise).
/// </summary>
internal static class SimulateCommand
{
    public static readonly (double High, double Low)[] WaterMarks = [(0.9, 0.55), (0.9, 0.4), (0.85, 0.5), (0.8, 0.5), (0.8, 0.45), (0.75, 0.4), (0.7, 0.35), (0.6, 0.3), (0.5, 0.25)];
    public static readonly int[] SummaryBounds = [300, 600, 1_000];

    public static async Task<int> RunAsync(string[] args)
    {
        string? script = Option(args, "--script");
        SimSettings shipped = SimSettings.Shipped;
        var settings = new SimSettings(
            Option(args, "--model") ?? shipped.Model,
            Int(Option(args, "--cap")) ?? shipped.Cap,
            Double(Option(args, "--high")) ?? shipped.HighWater,
            Double(Option(args, "--low")) ?? shipped.LowWater,
            Int(Option(args, "--summary")) ?? shipped.SummaryMaxTokens,
            Int(Option(args, "--reply")) ?? shipped.MaxReplyTokens);
        int[] keep = Option(args, "--keep") is { } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => int.Parse(k, CultureInfo.InvariantCulture))]
            : FloorAnalysis.DefaultExchanges;
        IReadOnlyList<SimScript> scripts = ScriptFiles.LoadAll(script);
        Console.WriteLine(Header(settings));
        bool ok = true;
        foreach (SimScript s in scripts)
        {
            IReadOnlyList<PolicyResult> results = await CostSimulator.RunAllAsync(s, settings);
            Console.WriteLine();
            Console.WriteLine($"### {s.Name}: {s.Description}");
            Console.WriteLine(Table(results));
            Console.WriteLine(Verdict(results));
            ok &= s.Name != "mixed-200" || Meets(results);
            if (args.Contains("--floor"))
            {
                Console.WriteLine();
                Console.WriteLine($"Floor on {s.Name} ({settings.Model}): the least any policy keeping the last N exchanges verbatim in every prompt pays");
                Console.WriteLine(await FloorAsync(s, settings, results, keep));
            }
        }

        if (args.Contains("--sweep"))
        {
            Console.WriteLine();
            Console.WriteLine(await SweepAsync(scripts, settings));
        }

        // Targets are reported, not enforced: a miss is a finding, not a failure of the tool.
        Console.WriteLine(scripts.Any(s => s.Name == "mixed-200") ? $"Targets on mixed-200 met: {(ok ? "yes" : "no")}" : "");
        return 0;
    }

    public static string Header(SimSettings settings) => string.Create(
        CultureInfo.InvariantCulture,
        $"Cost simulator: model {settings.Model} (chat and summaries), cap {settings.Cap:N0} tokens, reply reserve {settings.MaxReplyTokens:N0}, ChatBots at {settings.Label}{(settings.IsShippedWindow ? " (the shipped window settings)" : "")}; shipped: {SimSettings.Shipped.Model}, cap {SimSettings.Shipped.Cap:N0}, {SimSettings.Shipped.Label}");

    /// <summary>The floor for each N, next to the same run's baseline (b) and ChatBots.</summary>
    public static async Task<string> FloorAsync(SimScript script, SimSettings settings, IReadOnlyList<PolicyResult> results, IReadOnlyList<int> keep)
    {
        (Engine.Models.ModelInfo model, int budget, string system) = await CostSimulator.ContextAsync(script, settings);
        CostFloor[] floors = [.. keep.Select(n => FloorAnalysis.Compute(script, model, system, n))];
        WindowOptimum[] optima = [.. keep.Select(n => FloorAnalysis.BestWindow(script, model, system, n, budget))];
        return FloorAnalysis.Table(floors, optima, results[0], results[2]);
    }

    public static async Task<string> SweepAsync(IReadOnlyList<SimScript> scripts, SimSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Sweep (ChatBots only; model {settings.Model}, cap {settings.Cap:N0}); cost relative to baselines (a) and (b) of the same script");
        text.AppendLine("| script | high | low | summary max | cost | × (a) | × (b) | cached | mean prompt | summaries | summary cost | fewest kept |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SimScript s in scripts)
        {
            (Engine.Models.ModelInfo model, int budget, string system) = await CostSimulator.ContextAsync(s, settings);
            PolicyResult a = CostSimulator.RunResendAll(s, model, budget, system);
            PolicyResult b = CostSimulator.RunSummarizeAll(s, model, budget, system);
            foreach ((double high, double low) in WaterMarks)
            {
                foreach (int bound in SummaryBounds)
                {
                    SimSettings run = settings with { HighWater = high, LowWater = low, SummaryMaxTokens = bound };
                    PolicyResult r = await CostSimulator.RunChatBotsAsync(s, run);
                    string mark = run.IsShippedWindow ? " (shipped)" : "";
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name}{mark} | {high:0.##} | {low:0.##} | {bound} | ${r.CostUsd:0.0000} | {r.CostMicroUsd / (double)a.CostMicroUsd:0.00} | {r.CostMicroUsd / (double)b.CostMicroUsd:0.00} | {r.CachedShare:P0} | {r.MeanPromptTokens:N0} | {r.SummaryCalls} | ${r.SummaryCostUsd:0.0000} | {r.FewestKeptText} |");
                }
            }
        }

        return text.ToString().TrimEnd();
    }

    public static string Table(IReadOnlyList<PolicyResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| policy | requests | total cost | cached share of input | mean prompt tokens | summary calls | summary cost | output cost (all calls) | fewest recent exchanges kept |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (PolicyResult r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Policy} | {r.Requests} | ${r.CostUsd:0.0000} | {r.CachedShare:P1} | {r.MeanPromptTokens:N0} | {r.SummaryCalls} | ${r.SummaryCostUsd:0.0000} | ${r.OutputCostUsd:0.0000} | {r.FewestKeptText} |");
        }

        return text.ToString().TrimEnd();
    }

    public static string Verdict(IReadOnlyList<PolicyResult> results)
    {
        PolicyResult c = results[0];
        PolicyResult a = results[1];
        PolicyResult b = results[2];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"ChatBots = {c.CostMicroUsd / (double)a.CostMicroUsd:0.00}× (a) and {c.CostMicroUsd / (double)b.CostMicroUsd:0.00}× (b); every prompt kept the last min(8, available) exchanges: {(c.KeptLast8 ? "yes" : "no")} (fewest kept after the first cut: {c.FewestKeptText})");
    }

    /// <summary>The issue's targets on the 200-turn script: ≤ 0.5× (a), ≤ 0.7× (b), ≥ 8 recent exchanges in every prompt.</summary>
    public static bool Meets(IReadOnlyList<PolicyResult> results) =>
        results[0].CostMicroUsd <= 0.5 * results[1].CostMicroUsd && results[0].CostMicroUsd <= 0.7 * results[2].CostMicroUsd && results[0].KeptLast8;

    private static int? Int(string? value) => value is null ? null : int.Parse(value, CultureInfo.InvariantCulture);

    private static double? Double(string? value) => value is null ? null : double.Parse(value, CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
