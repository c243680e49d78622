using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Process;

namespace ChatBots.Host.Tests;

/// <summary>
/// What a developer exported in the shell that runs the tests must not reach the <c>chatbots</c> child: an exported
/// <c>Storage__DataDirectory</c> would make every end-to-end run share (and write to) a real database.
/// </summary>
public sealed class ChildEnvironmentTests
{
    [Fact]
    public async Task Start_DeveloperShellExportsBotSettings_ChildUsesOnlyTheTestsSettings()
    {
        using var dir = new TempDirectory();
        using var realData = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        Dictionary<string, string?> shell = ChatbotsProcess.InheritedEnvironment();
        shell["Storage__DataDirectory"] = realData.Path;
        // Lower case: configuration keys are case-insensitive, so this one would bind too.
        shell["budgets__userdailyusd"] = "0.000001";
        shell["OpenAI__Model"] = "gpt-4o";
        shell["OPENAI_API_KEY"] = "sk-from-the-developer-shell";
        var settings = new Dictionary<string, string?> { ["OpenAI__BaseUrl"] = openai.BaseUrl.ToString() };

        int code;
        string output;
        await using (ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, shell, settings, "chat"))
        {
            await bot.WriteInputAsync("hello\n");
            bot.CloseInput();
            code = await bot.WaitForExitAsync(ChildBot.Guard);
            output = bot.AllOutput;
        }

        Assert.True(code == 0, $"chatbots chat exited {code}:\n{output}");
        Assert.Contains("echo: hello", output, StringComparison.Ordinal);
        Assert.DoesNotContain("budget", output, StringComparison.OrdinalIgnoreCase);
        RecordedChatRequest request = Assert.Single(openai.ChatRequests);
        Assert.Equal("gpt-6-luna", request.Model);
        Assert.DoesNotContain("sk-from-the-developer-shell", request.Authorization ?? "", StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "data", "chatbots.db")), "The child did not use its own ./data.");
        Assert.Empty(Directory.EnumerateFileSystemEntries(realData.Path));
    }

    [Fact]
    public void ChildEnvironment_EnvironmentNamesAndSectionKeys_RemovedOthersKeptTestsSettingsWin()
    {
        var shell = new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/bin",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "None",
            ["DOTNET_Host__ShutdownTimeout"] = "00:00:01",
            ["Health__Enabled"] = "true",
        };
        var settings = new Dictionary<string, string?> { ["Health__Url"] = "http://127.0.0.1:0" };

        Dictionary<string, string?> child = ChatbotsProcess.ChildEnvironment(shell, settings);

        Assert.Equal(
            [("DOTNET_ENVIRONMENT", "Testing"), ("Health__Url", "http://127.0.0.1:0"), ("PATH", "/usr/bin")],
            child.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
    }
}
