using ChatBots.Engine.Conversations;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Window;
using ChatBots.Testing.Engine;

namespace ChatBots.Engine.Tests;

/// <summary><c>/settings</c>: a conversation's own context cap and cost footer, shown to anyone, changed by admins.</summary>
public sealed class ConversationSettingsTests
{
    private static EngineHarness AdminHarness(InMemoryConversationStore? store = null) =>
        EngineHarness.Create(s => s["Access:Admins:0"] = "telegram:42", store);

    private static int CountPrompt(RecordedPrompt prompt) =>
        prompt.Messages.Sum(m => new TokenCounter().CountMessage(m.Role, m.Text, m.Name, TokenEncodings.O200kBase)) + TokenCounter.ReplyPriming;

    [Fact]
    public async Task Settings_NoArguments_ShowsTheEffectiveDefaultsToAnyone()
    {
        await using EngineHarness harness = EngineHarness.Create();

        string reply = await harness.AskAsync("/settings", user: "7");

        Assert.Contains("Context cap: 16,000 tokens (the default)", reply, StringComparison.Ordinal);
        Assert.Contains("With gpt-4o-mini the prompt budget is 14,848 tokens", reply, StringComparison.Ordinal);
        Assert.Contains("Cost footer: off (the default)", reply, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Settings_NonAdminTriesToChange_RefusedAndNothingStored()
    {
        await using EngineHarness harness = AdminHarness();

        string reply = await harness.AskAsync("/settings cap 8000", user: "7");

        Assert.Contains("only the bot's admins can change settings", reply, StringComparison.Ordinal);
        Assert.Equal(ConversationSettings.Default, (await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None)).Settings);
    }

    [Fact]
    public async Task Settings_AdminLowersTheCap_PromptsOfThatConversationStayWithinIt()
    {
        await using EngineHarness harness = AdminHarness();
        string huge = string.Concat(Enumerable.Repeat("人工智能正在改变世界。", 1_000));

        string done = await harness.AskAsync("/settings cap 2000", chat: "A");
        await harness.SendAsync(EngineHarness.Message(huge, chat: "A"));
        await harness.SendAsync(EngineHarness.Message(huge, chat: "B"));

        Assert.Contains("Context cap: 2,000 tokens (set for this conversation; the default is 16,000)", done, StringComparison.Ordinal);
        ModelInfo model = harness.Get<ModelCatalogue>().Resolve("gpt-4o-mini");
        int capped = WindowBudget.For(model, new EngineOptions(), contextTokenCap: 2_000).Budget;
        IReadOnlyList<RecordedPrompt> prompts = harness.Model.ChatPrompts;
        Assert.InRange(CountPrompt(prompts[0]), 1, capped);
        Assert.Equal(WindowBudget.For(model, new EngineOptions(), contextTokenCap: 2_000).ReservedOutput, prompts[0].MaxOutputTokens);
        // The other conversation keeps the default cap: its prompt is far larger than the capped budget.
        Assert.True(CountPrompt(prompts[1]) > capped * 5, "the cap of one conversation must not apply to another");
        Assert.Equal(new ConversationSettings(ContextTokenCap: 2_000), (await harness.Store.LoadAsync(new ConversationKey(Platform.Telegram, "A"), CancellationToken.None)).Settings);
    }

    [Fact]
    public async Task Settings_FooterOnForOneConversation_OnlyItsAnswersCarryTheFooter()
    {
        await using EngineHarness harness = AdminHarness();

        await harness.AskAsync("/settings footer on", chat: "A");
        string withFooter = await harness.AskAsync("hello", chat: "A");
        string without = await harness.AskAsync("hello", chat: "B");

        Assert.StartsWith("reply to: hello\n\n— 10 in / 5 out tokens · $0.000005", withFooter, StringComparison.Ordinal);
        Assert.Equal("reply to: hello", without);
    }

    [Fact]
    public async Task Settings_FooterOffOverridesTheConfiguredDefault()
    {
        await using EngineHarness harness = EngineHarness.Create(s =>
        {
            s["Access:Admins:0"] = "telegram:42";
            s["Engine:CostFooter"] = "true";
        });

        Assert.Contains("—", await harness.AskAsync("hello"), StringComparison.Ordinal);
        string shown = await harness.AskAsync("/settings footer off");
        Assert.Equal("reply to: again", await harness.AskAsync("again"));
        Assert.Contains("Cost footer: off (set for this conversation; the default is on)", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_SurviveResetAndRestart()
    {
        var store = new InMemoryConversationStore();
        await using (EngineHarness first = AdminHarness(store))
        {
            await first.AskAsync("/settings cap 8000");
            await first.AskAsync("/settings footer on");
            await first.AskAsync("remember teal");
            await first.AskAsync("/reset");
        }

        await using EngineHarness second = AdminHarness(store);
        string shown = await second.AskAsync("/settings", user: "7");
        string answer = await second.AskAsync("what colour?");

        Assert.Contains("Context cap: 8,000 tokens (set for this conversation", shown, StringComparison.Ordinal);
        Assert.Contains("Cost footer: on (set for this conversation", shown, StringComparison.Ordinal);
        Assert.Contains("— ", answer, StringComparison.Ordinal);
        // The reset forgot the history, not the settings.
        Assert.DoesNotContain(second.Model.ChatPrompts.Single().Messages, m => m.Text.Contains("teal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Settings_CapDefault_ClearsTheConversationsCap()
    {
        await using EngineHarness harness = AdminHarness();
        await harness.AskAsync("/settings cap 8000");

        string reply = await harness.AskAsync("/settings cap default");

        Assert.Contains("Context cap: 16,000 tokens (the default)", reply, StringComparison.Ordinal);
        Assert.Equal(ConversationSettings.Default, (await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None)).Settings);
    }

    [Theory]
    [InlineData("/settings cap 1024", "leaves")]
    [InlineData("/settings cap 500", "from 1,024 to 10,000,000")]
    [InlineData("/settings cap lots", "from 1,024 to 10,000,000")]
    [InlineData("/settings footer maybe", "on, off or default")]
    [InlineData("/settings colour blue", "I don't understand that.")]
    [InlineData("/settings cap", "I don't understand that.")]
    public async Task Settings_AdminGivesABadValue_ExplainsAndStoresNothing(string command, string expected)
    {
        await using EngineHarness harness = AdminHarness();

        string reply = await harness.AskAsync(command);

        Assert.Contains(expected, reply, StringComparison.Ordinal);
        Assert.Contains("/settings cap <tokens>", reply, StringComparison.Ordinal);
        Assert.Equal(ConversationSettings.Default, (await harness.Store.LoadAsync(EngineHarness.Message("x").Conversation, CancellationToken.None)).Settings);
    }

    [Theory]
    [InlineData("/settings cap\t8000")]
    [InlineData("/settings\tcap  \t 8000")]
    [InlineData("/settings cap\n8000")]
    [InlineData("/settings cap\r\n8000\n")]
    public async Task Settings_WordsSeparatedByTabsOrLineBreaks_Understood(string command)
    {
        await using EngineHarness harness = AdminHarness();

        string reply = await harness.AskAsync(command);

        Assert.StartsWith("Done. ", reply, StringComparison.Ordinal);
        Assert.Contains("Context cap: 8,000 tokens (set for this conversation", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_StoredCapBelowTheRange_TheLowestAllowedCapApplies()
    {
        // /settings never stores such a cap; a row edited by hand (or another store) can hold one.
        var store = new InMemoryConversationStore();
        await store.SetSettingsAsync(EngineHarness.Message("x").Conversation, new ConversationSettings(ContextTokenCap: 10), CancellationToken.None);
        await using EngineHarness harness = EngineHarness.Create(store: store);

        string shown = await harness.AskAsync("/settings");
        string answer = await harness.AskAsync("hello");

        Assert.Contains("Context cap: 1,024 tokens (set for this conversation", shown, StringComparison.Ordinal);
        // 1,024 − 512 reply (half the window) − 128 margin: too small for the summary allowance, and the reply says so.
        Assert.Contains("its prompt budget of 384 tokens", answer, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Prompts);
    }

    [Fact]
    public async Task Settings_StoredCapAboveTheRange_TheHighestAllowedCapIsShown()
    {
        var store = new InMemoryConversationStore();
        await store.SetSettingsAsync(EngineHarness.Message("x").Conversation, new ConversationSettings(ContextTokenCap: 2_000_000_000), CancellationToken.None);
        await using EngineHarness harness = EngineHarness.Create(store: store);

        string shown = await harness.AskAsync("/settings");

        Assert.Contains("Context cap: 10,000,000 tokens (set for this conversation", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_MentionsHowAdminsChangeSettings()
    {
        await using EngineHarness harness = EngineHarness.Create();

        string help = await harness.AskAsync("/help");

        Assert.Contains("/settings —", help, StringComparison.Ordinal);
        Assert.Contains("/settings footer on|off|default", help, StringComparison.Ordinal);
        Assert.Contains(harness.Engine.Commands, c => c.Name == "settings");
    }
}
