using ChatBots.Engine.Processing;

namespace ChatBots.Engine.Tests;

public sealed class CommandParserTests
{
    [Theory]
    [InlineData("/help", CommandKind.Help, "help", "")]
    [InlineData("  /help  ", CommandKind.Help, "help", "")]
    [InlineData("/start@My_Bot", CommandKind.Help, "start", "")]
    [InlineData("/reset@TestBot please", CommandKind.Reset, "reset", "please")]
    [InlineData("/USAGE", CommandKind.Usage, "usage", "")]
    [InlineData("/settings cap 8000", CommandKind.Settings, "settings", "cap 8000")]
    [InlineData("/settings\tfooter on", CommandKind.Settings, "settings", "footer on")]
    [InlineData("/summary\nnow", CommandKind.Summary, "summary", "now")]
    [InlineData("/frobnicate", CommandKind.Unknown, "frobnicate", "")]
    [InlineData("/do_it_2", CommandKind.Unknown, "do_it_2", "")]
    [InlineData("/abcdefghijklmnopqrstuvwxyz012345", CommandKind.Unknown, "abcdefghijklmnopqrstuvwxyz012345", "")]
    public void Parse_CommandToken_IsACommand(string text, CommandKind kind, string name, string arguments)
    {
        Assert.Equal(new ParsedCommand(kind, name, arguments), CommandParser.Parse(text));
    }

    [Theory]
    [InlineData("/usr/bin/x crashes, why?")]
    [InlineData("/api/v1/chat returns 404")]
    [InlineData("/help? what does it do")]
    [InlineData("/help, please")]
    [InlineData("/ hello")]
    [InlineData("/")]
    [InlineData("/@bot")]
    [InlineData("/help@")]
    [InlineData("/help@bot!")]
    [InlineData("/naïve question")]
    [InlineData("/abcdefghijklmnopqrstuvwxyz0123456")] // 33 characters: longer than any command name
    [InlineData("hello /help")]
    [InlineData("")]
    [InlineData("½ /help")]
    public void Parse_AnythingElse_IsOrdinaryText(string text)
    {
        Assert.Equal(CommandKind.None, CommandParser.Parse(text).Kind);
    }

    [Fact]
    public async Task Engine_TextStartingWithAPath_GoesToTheModelNotTheCommandHandler()
    {
        await using EngineHarness harness = EngineHarness.Create();

        string reply = await harness.AskAsync("/usr/bin/x crashes, why?");

        Assert.Equal("reply to: /usr/bin/x crashes, why?", reply);
        Assert.Single(harness.Model.ChatPrompts);
    }
}
