using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Process;

namespace ChatBots.Host.Tests;

public sealed class CliTests
{
    private static readonly Dictionary<string, string?> NoSettings = [];

    /// <summary>A Telegram bot against the fake, with a model key: everything <c>run</c> needs to start connecting.</summary>
    private static Dictionary<string, string?> TelegramBot(Testing.Telegram.FakeTelegramBotApi telegram) => new()
    {
        ["Telegram__BotToken"] = telegram.Token,
        ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
        ["OpenAI__ApiKey"] = "sk-test",
    };

    [Fact]
    public async Task Run_NoAdapterConfigured_ExitsThreeAndNamesTheSettings()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null);

        Assert.Equal(3, code);
        Assert.Contains("Telegram__BotToken", output, StringComparison.Ordinal);
        Assert.Contains("Discord__BotToken", output, StringComparison.Ordinal);
        Assert.Contains("chatbots chat", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_InvalidNumber_ExitsTwoNamingTheKeyWithoutStackTrace()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["Engine__MaxReplyTokens"] = "lots" }, "", "chat");

        Assert.Equal(2, code);
        Assert.Contains("Engine:MaxReplyTokens", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadTelegramTokenAndBadRule_ExitsTwoWithEveryMessage()
    {
        using var dir = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = "not-a-token",
            ["Engine__LowWaterMark"] = "0.95",
        };

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(2, code);
        Assert.Contains("Telegram:BotToken", output, StringComparison.Ordinal);
        Assert.Contains("Engine:LowWaterMark must be below Engine:HighWaterMark", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_UnknownModel_WarnsNamingItAndStillAnswers()
    {
        using var dir = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["OpenAI__BaseUrl"] = openai.BaseUrl.ToString(),
            ["OpenAI__Model"] = "my-local-model",
        };

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, "hello\n", "chat");

        Assert.Equal(0, code);
        Assert.Contains("my-local-model is not in the catalogue", output, StringComparison.Ordinal);
        Assert.Contains("echo: hello", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_Verb_ExitsWithUsage()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null, "frobnicate");

        Assert.Equal(64, code);
        Assert.Contains("Unknown command 'frobnicate'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpt-4o", "o200k_base")]
    [InlineData("gpt-4", "cl100k_base")]
    public async Task Tokens_Text_SameCountAsTheEngine(string model, string encoding)
    {
        using var dir = new TempDirectory();
        const string Text = "人工智能正在改变世界。Hello, world! 🚀 let's count: 你好";
        int expected = new TokenCounter().CountText(Text, encoding);

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null, "tokens", "--model", model, Text);

        Assert.Equal(0, code);
        Assert.StartsWith($"{expected} tokens", output, StringComparison.Ordinal);
        Assert.Contains(encoding, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_MessagesJson_IncludesFraming()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "request.json");
        await File.WriteAllTextAsync(path, """
            {"model":"gpt-4o-mini","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","name":"alice","content":"你好, how much is this?"},
              {"role":"assistant","content":[{"type":"text","text":"Very little."}]}]}
            """);
        var counter = new TokenCounter();
        int expected = counter.CountMessage("system", "You are terse.", null, TokenEncodings.O200kBase)
            + counter.CountMessage("user", "你好, how much is this?", "alice", TokenEncodings.O200kBase)
            + counter.CountMessage("assistant", "Very little.", null, TokenEncodings.O200kBase)
            + TokenCounter.ReplyPriming;

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null, "tokens", "--messages", path);

        Assert.Equal(0, code);
        Assert.StartsWith($"{expected} tokens (3 messages", output, StringComparison.Ordinal);
        Assert.Contains("Model gpt-4o-mini", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("run", "--help")]
    public async Task Help_AnySpelling_PrintsUsageAndConnectsNowhere(params string[] args)
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, TelegramBot(telegram), null, args);

        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("chatbots tokens", output, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the Docker image's default: the store is checked before the port is bound, so nothing claims health
    public async Task Run_DataDirectoryCannotBeCreated_OneLineNamingTheSettingAndNoConnection(bool healthEnabled)
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings["Health__Enabled"] = healthEnabled ? "true" : "false";
        settings["Health__Url"] = "http://127.0.0.1:0";

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run", "--Storage:DataDirectory=/proc/chatbots-cannot-be-here");

        Assert.Equal(1, code);
        Assert.StartsWith("Error: Storage:DataDirectory '/proc/chatbots-cannot-be-here' cannot be created: ", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(telegram.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_DatabaseFileIsNotADatabase_OneLineNamingTheFileAndNoConnection(bool healthEnabled)
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        string data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "chatbots.db"), "these are my notes, not a database, and they are long enough to fill a header");
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings["Health__Enabled"] = healthEnabled ? "true" : "false";
        settings["Health__Url"] = "http://127.0.0.1:0";

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(1, code);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Error: Storage:DataDirectory './data': {Path.Combine(data, "chatbots.db")} cannot be opened: ", line, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
    }

    [Fact]
    public async Task Run_DatabaseFromANewerBuild_OneLineNamingTheSchemaAndNoConnection()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        string data = Path.Combine(dir.Path, "data");
        await (await Storage.SqliteStore.OpenAsync(data, CancellationToken.None)).DisposeAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data, "chatbots.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (99, 0);";
            await command.ExecuteNonQueryAsync();
        }

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, TelegramBot(telegram), null, "run");

        Assert.Equal(1, code);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: Storage:DataDirectory './data': ", line, StringComparison.Ordinal);
        Assert.Contains("has schema version 99, newer than", line, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
    }

    [Fact]
    public async Task Run_HealthPortInUse_OneLineNamingTheSettingAndNoConnection()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        string url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings["Health__Enabled"] = "true";
        settings["Health__Url"] = url;

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(1, code);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Error: ", StringComparison.Ordinal));
        Assert.StartsWith($"Error: Health:Url '{url}' cannot be used: ", line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
    }

    [Fact]
    public async Task Run_ShutdownTimeoutZeroAndAnotherBadValue_ExitsTwoListingBoth()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings["Host__ShutdownTimeout"] = "00:00:00";
        settings["Engine__MaxReplyTokens"] = "0";

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(2, code);
        Assert.Contains("  - Host:ShutdownTimeout must be between 00:00:01 and 00:10:00.", output, StringComparison.Ordinal);
        Assert.Contains("  - Engine:MaxReplyTokens must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("DataAnnotation validation failed", output, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
    }

    [Fact]
    public async Task Chat_NoApiKeyForThePublicApi_ExitsTwoNamingTheVariables()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, "hello\n", "chat");

        Assert.Equal(2, code);
        Assert.Contains("OPENAI_API_KEY", output, StringComparison.Ordinal);
        Assert.Contains("OpenAI__ApiKey", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[error]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TokenButNoApiKey_ExitsTwoBeforeConnecting()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings.Remove("OpenAI__ApiKey");

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(2, code);
        Assert.Contains("OPENAI_API_KEY", output, StringComparison.Ordinal);
        Assert.Empty(telegram.Requests);
    }

    [Fact]
    public async Task Run_KeyOnlyInOpenAIApiKeyVariable_StartsAndConnects()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        Dictionary<string, string?> settings = TelegramBot(telegram);
        settings.Remove("OpenAI__ApiKey");
        settings["OPENAI_API_KEY"] = "sk-from-the-usual-variable";

        // No OpenAI:BaseUrl: the public API, which refuses to start without a key (Run_TokenButNoApiKey_ExitsTwoBeforeConnecting).
        await using ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run");
        await bot.WaitForOutputAsync("Telegram adapter connected", TimeSpan.FromSeconds(60));

        Assert.Contains(telegram.Requests, r => r.Method == "getme");
        Assert.Equal(0, await bot.TerminateAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Run_KeyOnlyInOpenAIApiKeyVariable_ModelCallsCarryThatKey()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        Dictionary<string, string?> settings = TelegramBot(telegram);
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        settings.Remove("OpenAI__ApiKey");
        settings["OPENAI_API_KEY"] = "sk-from-the-usual-variable";
        // A compatible server needs no key to start, so only the header it receives shows which key was used.
        settings["OpenAI__BaseUrl"] = openai.BaseUrl.ToString();

        await using ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run");
        telegram.EnqueueMessage(Testing.Telegram.TelegramUpdates.PrivateText(4242, "hello"));

        Assert.Equal("echo: hello", (await telegram.NextMessageAsync(4242, TimeSpan.FromSeconds(60))).Text);
        Assert.Equal("Bearer sk-from-the-usual-variable", Assert.Single(openai.ChatRequests).Authorization);
        Assert.Equal(0, await bot.TerminateAsync(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":5}]}]""", "messages[0].content[0].text is a number")]
    [InlineData("""["hi"]""", "messages[0] is a string")]
    [InlineData("""{"model":"gpt-4o"}""", "no \"messages\" array")]
    [InlineData("""{"messages":"hi"}""", "Expected OpenAI's \"messages\" array")]
    [InlineData("""[{"role":5,"content":"x"}]""", "messages[0].role is a number")]
    [InlineData("""[{"role":"user","content":{"text":"x"}}]""", "messages[0].content is an object")]
    [InlineData("""[["user","x"]]""", "messages[0] is an array, not a message object")]
    [InlineData("""[{"role":"user",""", "not valid JSON")]
    public async Task Tokens_MessagesOfTheWrongShape_ExitsUsageWithOneLine(string json, string expected)
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "request.json");
        await File.WriteAllTextAsync(path, json);

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null, "tokens", "--messages", path);

        Assert.Equal(64, code);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_OneMessage_SaysMessageInTheSingular()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, """[{"role":"user","content":"hi"}]""", "tokens", "--messages", "-");

        Assert.Equal(0, code);
        Assert.Contains(" tokens (1 message, framing included", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_NoDatabaseYet_SaysSoAndCreatesNothing()
    {
        using var dir = new TempDirectory();

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, NoSettings, null, "usage");

        Assert.Equal(0, code);
        Assert.StartsWith("No usage recorded yet", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")));
    }

    [Fact]
    public async Task Chat_ContinuesAfterRestart_UsageShowsCost_BudgetRefusesSecondMessage()
    {
        using var dir = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        openai.DefaultChatResponder = r => FakeChatReply.WithText($"noted: {r.LastUserText}", 1_000, 100);
        var settings = new Dictionary<string, string?> { ["OpenAI__BaseUrl"] = openai.BaseUrl.ToString(), ["OpenAI__ApiKey"] = "sk-test" };

        (int first, string firstOutput) = await ChatbotsProcess.RunAsync(dir.Path, settings, "my favourite colour is teal\n", "chat");
        (int second, string secondOutput) = await ChatbotsProcess.RunAsync(dir.Path, settings, "what is my favourite colour?\n/usage\n", "chat");

        Assert.Equal(0, first);
        Assert.Contains("noted: my favourite colour is teal", firstOutput, StringComparison.Ordinal);
        Assert.Equal(0, second);
        RecordedChatRequest afterRestart = openai.ChatRequests[^1];
        Assert.Contains(afterRestart.Messages, m => m.Content == "my favourite colour is teal");
        // gpt-6-luna: 2 calls × (1,000 × $0.10 + 100 × $0.50) per 1M = 2 × 150 µUSD.
        Assert.Contains("this month: $0.0003 — 2 calls", secondOutput, StringComparison.Ordinal);

        settings["Budgets__UserDailyUsd"] = "0.00001";
        using var budgetDir = new TempDirectory();
        int before = openai.ChatRequests.Count;
        (_, string budgetOutput) = await ChatbotsProcess.RunAsync(budgetDir.Path, settings, "one\ntwo\n", "chat");

        Assert.Equal(before + 1, openai.ChatRequests.Count);
        Assert.Contains("noted: one", budgetOutput, StringComparison.Ordinal);
        Assert.Contains("your daily budget of $0.00001 is used up", budgetOutput, StringComparison.Ordinal);
    }
}

public sealed class WatchdogTests
{
    [Fact]
    public async Task Run_EveryAdapterFailsForGood_ExitsOneNamingTheSetting()
    {
        using var dir = new TempDirectory();
        await using Testing.Telegram.FakeTelegramBotApi telegram = await Testing.Telegram.FakeTelegramBotApi.StartAsync();
        telegram.AddError(new Testing.Telegram.TelegramScriptedError("getMe", 401, "Unauthorized", Times: null));
        var settings = new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = telegram.Token,
            ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["OpenAI__ApiKey"] = "sk-test",
        };

        (int code, string output) = await ChatbotsProcess.RunAsync(dir.Path, settings, null, "run");

        Assert.Equal(1, code);
        Assert.Contains("Telegram:BotToken", output, StringComparison.Ordinal);
        Assert.Contains("Every configured adapter has stopped", output, StringComparison.Ordinal);
        Assert.DoesNotContain(telegram.Token, output, StringComparison.Ordinal);
    }
}
