using System.Text.Json;

namespace ChatBots.Host.Tests;

public sealed class ReadmeTests
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
