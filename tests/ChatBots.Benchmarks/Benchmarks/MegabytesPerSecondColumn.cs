using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>Throughput of the token-counting benchmarks: corpus UTF-8 bytes divided by the mean time.</summary>
internal sealed class MegabytesPerSecondColumn : IColumn
{
    public string Id => nameof(MegabytesPerSecondColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "UTF-8 megabytes (10^6 bytes) counted per second (corpus bytes / mean)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(TokenCountingBenchmarks));

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(TokenCountingBenchmarks) || summary[benchmarkCase]?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        double seconds = stats.Mean / 1e9;
        return (TokenCountingBenchmarks.CorpusBytes / 1e6 / seconds).ToString("0.00", CultureInfo.InvariantCulture);
    }
}
