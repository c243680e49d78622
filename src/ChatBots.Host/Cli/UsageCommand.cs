using System.Globalization;
using ChatBots.Engine.Costs;
using ChatBots.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Cli;

/// <summary><c>chatbots usage</c>: ledger totals from the store, grouped by day, model, platform or conversation.</summary>
internal static class UsageCommand
{
    public static async Task<int> ExecuteAsync(string[] args)
    {
        (Dictionary<string, string> options, _) = ChatBotsCli.Parse(args, "by", "days");
        if (!Enum.TryParse(options.GetValueOrDefault("by", "day"), ignoreCase: true, out UsageGrouping grouping))
        {
            await Console.Error.WriteLineAsync("--by takes day, model, platform or conversation.");
            return ExitCodes.Usage;
        }

        DateTimeOffset? from = null;
        if (options.TryGetValue("days", out string? daysText))
        {
            if (!int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out int days) || days < 1)
            {
                await Console.Error.WriteLineAsync("--days takes a whole number of days, 1 or more.");
                return ExitCodes.Usage;
            }

            from = BudgetPeriods.DayStart(TimeProvider.System.GetUtcNow()).AddDays(1 - days);
        }

        HostApplicationBuilder builder = CliServices.CreateBuilder(ChatBotsCli.ConfigurationArgs(args));
        builder.AddSqliteStore();
        using IHost host = builder.Build();
        string directory = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory;
        string database = Path.Combine(Path.GetFullPath(directory), SqliteStore.FileName);
        if (!File.Exists(database))
        {
            // Opening the store would create an empty database (and ./data) where the user may not want one.
            Console.WriteLine($"No usage recorded yet: there is no {database} (Storage:DataDirectory is '{directory}'). The bot creates it on its first start.");
            return ExitCodes.Ok;
        }

        var ledger = host.Services.GetRequiredService<ILedgerStore>();
        var filter = new LedgerFilter(From: from);
        IReadOnlyList<UsageRow> rows = await ledger.GroupAsync(grouping, filter, CancellationToken.None);
        UsageTotals total = await ledger.SumAsync(filter, CancellationToken.None);
        Console.WriteLine(Format(grouping, rows, total));
        return ExitCodes.Ok;
    }

    public static string Format(UsageGrouping grouping, IReadOnlyList<UsageRow> rows, UsageTotals total)
    {
        var lines = new List<string[]> { new[] { grouping.ToString().ToLowerInvariant(), "calls", "input", "cached", "output", "audio s", "cost" } };
        lines.AddRange(rows.Select(r => Cells(r.Group, r.Totals)));
        lines.Add(Cells("total", total));
        int[] widths = [.. Enumerable.Range(0, 7).Select(i => lines.Max(l => l[i].Length))];
        var text = string.Join(Environment.NewLine, lines.Select(l => string.Join("  ", l.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i])))));
        return total.EstimatedCalls > 0 ? text + Environment.NewLine + $"{total.EstimatedCalls} of {total.Calls} calls were estimated (no usage reported, or an unlisted model)." : text;

        static string[] Cells(string group, UsageTotals t) =>
        [
            group,
            t.Calls.ToString("N0", CultureInfo.InvariantCulture),
            t.InputTokens.ToString("N0", CultureInfo.InvariantCulture),
            t.CachedInputTokens.ToString("N0", CultureInfo.InvariantCulture),
            t.OutputTokens.ToString("N0", CultureInfo.InvariantCulture),
            t.AudioSeconds.ToString("0.#", CultureInfo.InvariantCulture),
            t.Cost.ToString(),
        ];
    }
}
