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
/// idle-memory probe and a short simulator run. Proves they still run; the figures mean nothing. Non-zero on failure.
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

        SimScript script = ScriptFiles.LoadAll("mixed-200")[0];
        var tiny = script with { Turns = [.. script.Turns.Take(40)] };
        IReadOnlyList<PolicyResult> results = await CostSimulator.RunAllAsync(tiny, new SimSettings(Cap: 4_000));
        Console.WriteLine(SimulateCommand.Table(results));
        if (results.Any(r => r.Requests < tiny.Turns.Count || r.CostMicroUsd <= 0))
        {
            await Console.Error.WriteLineAsync("Simulator smoke failed: a policy billed fewer requests than turns.");
            failures++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Smoke: {(failures == 0 ? "passed" : $"{failures} failure(s)")}"));
        return failures == 0 ? 0 : 1;
    }
}
