using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatBots.Host.Tests;

public sealed partial class ReadmeTests
{
    private static string RepositoryFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChatBots.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, relative);
    }

    private static IEnumerable<string> Keys(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield return prefix;
            yield break;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            foreach (string key in Keys(property.Value, prefix.Length == 0 ? property.Name : prefix + ":" + property.Name))
            {
                yield return key;
            }
        }
    }

    [Fact]
    public void Readme_DocumentsEveryKeyOfAppsettings()
    {
        string readme = File.ReadAllText(RepositoryFile("README.md"));
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(RepositoryFile("config/appsettings.json")));

        // A row of the configuration table ("| `Section:Key` | default | meaning |"), not a mention anywhere: deleting a row fails.
        string[] missing = [.. Keys(settings.RootElement, "").Where(k => !readme.Contains($"\n| `{k}` |", StringComparison.Ordinal))];

        Assert.True(missing.Length == 0, "README.md does not document: " + string.Join(", ", missing));
    }

    [Fact]
    public void Readme_ConfigurationTableDefaults_MatchAppsettings()
    {
        string readme = File.ReadAllText(RepositoryFile("README.md"));
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(RepositoryFile("config/appsettings.json")));
        Dictionary<string, string> documented = TableDefaults(readme);

        string[] stale =
        [
            .. Values(settings.RootElement, "")
                .Where(v => documented.TryGetValue(v.Key, out string? cell) && !DefaultMatches(cell, v.Value))
                .Select(v => $"{v.Key}: README says {documented[v.Key]}, appsettings.json has {v.Value.GetRawText()}"),
        ];

        Assert.True(stale.Length == 0, "README.md's configuration table is stale:\n" + string.Join("\n", stale));
    }

    [Theory]
    [InlineData("`00:01:40`", "\"00:01:40\"")]
    [InlineData("`0.9`", "0.90")]
    [InlineData("`false` (`true` in Docker)", "false")]
    [InlineData("`[]` (everyone)", "[]")]
    [InlineData("(empty: detect)", "\"\"")]
    [InlineData("(none)", "null")]
    public void DefaultMatches_SameValueWrittenDifferently_Matches(string cell, string json)
    {
        using JsonDocument value = JsonDocument.Parse(json);

        Assert.True(DefaultMatches(cell, value.RootElement));
    }

    [Theory]
    [InlineData("`00:01:40`", "\"00:02:00\"")]
    [InlineData("`8`", "16")]
    [InlineData("`false`", "true")]
    [InlineData("(empty)", "\"gpt-4o\"")]
    [InlineData("(none)", "5")]
    [InlineData("`[]`", "[\"telegram:42\"]")]
    [InlineData("concise helpful assistant", "\"You are terse.\"")]
    [InlineData("`gpt-4o` or so", "\"gpt-4o\"")]
    public void DefaultMatches_StaleOrUncheckableCell_DoesNotMatch(string cell, string json)
    {
        using JsonDocument value = JsonDocument.Parse(json);

        Assert.False(DefaultMatches(cell, value.RootElement));
    }

    /// <summary>The configuration table's rows, "| `Section:Key` | default | meaning |": key → default cell.</summary>
    private static Dictionary<string, string> TableDefaults(string readme)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in readme.Split('\n'))
        {
            Match row = TableRow().Match(line);
            if (row.Success)
            {
                rows[row.Groups["key"].Value] = row.Groups["default"].Value.Trim();
            }
        }

        return rows;
    }

    /// <summary>
    /// A default cell is the JSON value in a code span (<c>`00:01:40`</c>, <c>`0.9`</c>, <c>`[]`</c>), optionally followed
    /// by a parenthesised remark; an empty string or null may be written "(empty)", "(empty: …)" or "(none)". Anything
    /// else (prose) cannot be checked, so it fails: the table must say the value.
    /// </summary>
    private static bool DefaultMatches(string cell, JsonElement value)
    {
        bool saysEmpty = cell == "(empty)" || cell.StartsWith("(empty: ", StringComparison.Ordinal) || cell == "(none)";
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return saysEmpty;
            case JsonValueKind.String when value.GetString()!.Length == 0:
                return saysEmpty;
            case JsonValueKind.Array when value.GetArrayLength() == 0 && saysEmpty:
                return true;
        }

        Match code = CodeSpanCell().Match(cell);
        if (!code.Success)
        {
            return false;
        }

        string written = code.Groups["value"].Value;
        return value.ValueKind switch
        {
            JsonValueKind.String when TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out TimeSpan expected) =>
                TimeSpan.TryParse(written, CultureInfo.InvariantCulture, out TimeSpan actual) && actual == expected,
            JsonValueKind.String => written == value.GetString(),
            JsonValueKind.Number =>
                decimal.TryParse(written, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal actual) && actual == value.GetDecimal(),
            JsonValueKind.True or JsonValueKind.False => written == (value.GetBoolean() ? "true" : "false"),
            JsonValueKind.Array => JsonNode.DeepEquals(JsonNode.Parse(written), JsonNode.Parse(value.GetRawText())),
            _ => false,
        };
    }

    private static IEnumerable<(string Key, JsonElement Value)> Values(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield return (prefix, element);
            yield break;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            foreach ((string, JsonElement) value in Values(property.Value, prefix.Length == 0 ? property.Name : prefix + ":" + property.Name))
            {
                yield return value;
            }
        }
    }

    // The default cell ends at the first unescaped "|" ("on\|off" stays inside a cell).
    [GeneratedRegex(@"^\| `(?<key>[^`]+)` \| (?<default>(?:[^|\\]|\\.)*)\|")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^`(?<value>[^`]*)`(?: \(.*\))?$")]
    private static partial Regex CodeSpanCell();

    [Fact]
    public void Readme_GivesTheRunAndTestCommands()
    {
        string readme = File.ReadAllText(RepositoryFile("README.md"));
        string ci = File.ReadAllText(RepositoryFile(".ci/run"));

        Assert.Contains("dotnet run --project src/ChatBots.Host", readme, StringComparison.Ordinal);
        Assert.Contains("\ndotnet test ChatBots.sln\n", readme, StringComparison.Ordinal);
        Assert.Contains("\ndotnet test ChatBots.sln\n", ci, StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_HoldsNoSecrets()
    {
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(RepositoryFile("config/appsettings.json")));
        foreach (string key in new[] { "OpenAI", "Telegram", "Discord" })
        {
            if (settings.RootElement.TryGetProperty(key, out JsonElement section)
                && (section.TryGetProperty("ApiKey", out JsonElement secret) || section.TryGetProperty("BotToken", out secret)))
            {
                Assert.Equal("", secret.GetString());
            }
        }
    }
}
