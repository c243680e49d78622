using System.Globalization;
using System.Text.RegularExpressions;
using ChatBots.Testing.Discord;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Process;
using ChatBots.Testing.Telegram;

namespace ChatBots.Host.Tests;

/// <summary>
/// Settings and probes for running the real <c>chatbots</c> process against the loopback fakes: the environment a user
/// would set, the health endpoint's address from the log, and the ledger as <c>chatbots usage</c> prints it.
/// </summary>
internal static partial class ChildBot
{
    /// <summary>A guard against hangs, never a wait the outcome depends on.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static Dictionary<string, string?> Settings(FakeOpenAIServer openai, FakeTelegramBotApi? telegram, FakeDiscordServer? discord)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OpenAI__BaseUrl"] = openai.BaseUrl.ToString(),
            ["OpenAI__ApiKey"] = "sk-end-to-end",
            // Bound to a free port; the address is read from the log line.
            ["Health__Enabled"] = "true",
            ["Health__Url"] = "http://127.0.0.1:0",
            // Generous, so a slow machine still drains the reply in flight; the test releases it at once.
            ["Host__ShutdownTimeout"] = "00:00:30",
        };
        if (telegram is not null)
        {
            settings["Telegram__BotToken"] = telegram.Token;
            settings["Telegram__ApiBaseUrl"] = telegram.BaseUrl;
            settings["Telegram__PollTimeout"] = "00:00:05";
        }

        if (discord is not null)
        {
            settings["Discord__BotToken"] = FakeDiscordServer.BotToken;
            settings["Discord__ApiBaseUrl"] = discord.ApiBaseUrl;
        }

        return settings;
    }

    /// <summary>The health endpoint's address, once the process has logged it.</summary>
    public static async Task<Uri> HealthAddressAsync(ChatbotsProcess bot)
    {
        await bot.WaitForOutputAsync("Health endpoint listening on ", Guard);
        Match match = HealthLine().Match(bot.AllOutput);
        Assert.True(match.Success, "No health address in the output:\n" + bot.AllOutput);
        return new Uri(match.Groups["address"].Value);
    }

    /// <summary>Runs <c>chatbots usage --by model</c> in <paramref name="directory"/>: one row per model, and "total".</summary>
    public static async Task<IReadOnlyDictionary<string, UsageLine>> UsageByModelAsync(string directory)
    {
        (int code, string output) = await ChatbotsProcess.RunAsync(directory, new Dictionary<string, string?>(), null, "usage", "--by", "model");
        Assert.True(code == 0, $"chatbots usage exited {code}:\n{output}");
        var rows = new Dictionary<string, UsageLine>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            string[] cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length != 7)
            {
                continue;
            }

            rows[cells[0]] = new UsageLine(
                Number(cells[1]),
                Number(cells[2]),
                Number(cells[3]),
                Number(cells[4]),
                decimal.Parse(cells[5], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
                MicroDollars(cells[6]));
        }

        return rows;

        static long Number(string cell) => long.Parse(cell.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture);

        // "$0.001234": the usage table prints costs to the micro-dollar.
        static long MicroDollars(string cell)
        {
            Assert.StartsWith("$", cell, StringComparison.Ordinal);
            decimal dollars = decimal.Parse(cell[1..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            return (long)(dollars * 1_000_000m);
        }
    }

    [GeneratedRegex(@"Health endpoint listening on (?<address>http://[^\s]+) \(")]
    private static partial Regex HealthLine();
}
