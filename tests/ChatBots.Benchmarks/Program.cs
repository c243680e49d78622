using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ChatBots.Benchmarks;
using ChatBots.Benchmarks.Benchmarks;
using ChatBots.Benchmarks.Generation;
using ChatBots.Benchmarks.Simulation;

// dotnet run -c Release --project tests/ChatBots.Benchmarks -- <args>; see docs/performance.md.
switch (args.FirstOrDefault())
{
    case "--smoke":
        return await Smoke.RunAsync();
    case "simulate":
        return await SimulateCommand.RunAsync(args[1..]);
    case "idle-memory":
        int conversations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        Console.WriteLine(IdleMemoryProbe.Describe(await IdleMemoryProbe.RunAsync(conversations)));
        return 0;
    case "describe":
        // What the benchmarks run on, without timing anything: the corpus agreement and the history each prompt case holds.
        Console.WriteLine(TokenCountingBenchmarks.Describe());
        Console.WriteLine(await PromptAssemblyBenchmarks.DescribeWindowsAsync());
        return 0;
    case "generate":
        Generator.Run(args.Length > 1 ? args[1] : Path.Combine("tests", "ChatBots.Benchmarks"));
        return 0;
    default:
        Console.WriteLine(TokenCountingBenchmarks.Describe());
        Console.WriteLine(await PromptAssemblyBenchmarks.DescribeWindowsAsync());
        IConfig config = DefaultConfig.Instance.AddColumn(new MegabytesPerSecondColumn(), new MessagesPerSecondColumn());
        Summary[] summaries = [.. BenchmarkSwitcher.FromTypes(Program.BenchmarkTypes).Run(args, config)];
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}

/// <summary>The entry point and the benchmark classes it knows.</summary>
internal static partial class Program
{
    public static readonly Type[] BenchmarkTypes =
    [
        typeof(TokenCountingBenchmarks),
        typeof(PromptAssemblyBenchmarks),
        typeof(EngineThroughputBenchmarks),
        typeof(StoreAppendBenchmarks),
        typeof(StoreOpenBenchmarks),
    ];
}
