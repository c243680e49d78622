using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ChatBots.Benchmarks.Benchmarks;
using ChatBots.Benchmarks.Simulation;

namespace ChatBots.Benchmarks;

/// <summary>
/// <c>--smoke</c>: every benchmark once with the shortest job, in process, plus the corpus agreement check, a small
/// idle-memory probe and the simulator on the 200-exchange script at the shipped defaults with its floor. Proves they
/// still run; the benchmark figures mean nothing. Non-zero on failure.
/// </summary>
internal static class Smoke
{
    public static async Task<int> RunAsync()
    {
        int failures = 0;
        Console.WriteLine(TokenCountingBenchmarks.Describe());
        if (TokenCountingBenchmarks.Describe().Contains("DIFFERENT", StringComparison.Ordinal))
        {
            failures++;
        }

        StoreOpenBenchmarks.Smoke = true;
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Smoke"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(new MegabytesPerSecondColumn())
            .AddColumn(new MessagesPerSecondColumn())
            .WithOptions(ConfigOptions.DisableLogFile);
        foreach (Summary summary in BenchmarkRunner.Run(Program.BenchmarkTypes, config))
        {
            if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0 || summary.Reports.Any(r => !r.Success))
            {
                await Console.Error.WriteLineAsync($"Benchmark smoke failed: {summary.Title}");
                failures++;
            }
        }

        IdleMemoryProbe.Result idle = await IdleMemoryProbe.RunAsync(1_000);
        Console.WriteLine(IdleMemoryProbe.Describe(idle));

        failures += await SimulatorAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Smoke: {(failures == 0 ? "passed" : $"{failures} failure(s)")}"));
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// The simulator at the shipped settings, checked for what must hold whatever the figures: every policy billed at
    /// least one request per exchange, ChatBots evicted (the summary path ran), no policy cost less than the floor of what
    /// it kept (a floor above a real bill would mean the floor arithmetic is wrong), nor the best window schedule.
    /// </summary>
    private static async Task<int> SimulatorAsync()
    {
        int failures = 0;
        SimScript script = ScriptFiles.LoadAll("mixed-200")[0];
        SimSettings settings = SimSettings.Shipped;
        Console.WriteLine(SimulateCommand.Header(settings));
        IReadOnlyList<PolicyResult> results = await CostSimulator.RunAllAsync(script, settings);
        Console.WriteLine(SimulateCommand.Table(results));
        Console.WriteLine(await SimulateCommand.FloorAsync(script, settings, results, FloorAnalysis.DefaultExchanges));
        if (results.Any(r => r.Requests < script.Turns.Count || r.CostMicroUsd <= 0))
        {
            await Console.Error.WriteLineAsync("Simulator smoke failed: a policy billed fewer requests than exchanges.");
            failures++;
        }

        if (results[0].SummaryCalls == 0)
        {
            await Console.Error.WriteLineAsync("Simulator smoke failed: ChatBots never evicted on the 200-exchange script.");
            failures++;
        }

        (Engine.Models.ModelInfo model, int budget, string system) = await CostSimulator.ContextAsync(script, settings);
        decimal floorNone = FloorAnalysis.Compute(script, model, system, 0).TotalMicroUsd;
        decimal floorEight = FloorAnalysis.Compute(script, model, system, 8).TotalMicroUsd;
        if (results.Any(r => r.CostMicroUsd < floorNone) || (results[0].KeptLast8 && results[0].CostMicroUsd < floorEight))
        {
            await Console.Error.WriteLineAsync("Simulator smoke failed: a policy was billed less than the floor of what it kept.");
            failures++;
        }

        // The best window schedule is one of the policies the floor bounds.
        if (FloorAnalysis.BestWindow(script, model, system, 8, budget).CostMicroUsd < floorEight)
        {
            await Console.Error.WriteLineAsync("Simulator smoke failed: the best window schedule is below the floor.");
            failures++;
        }

        return failures;
    }
}
