using ChatBots.Engine.Conversations;
using ChatBots.Engine.Processing;

namespace ChatBots.Engine.Tests;

public sealed class AccessRulesTests
{
    [Theory]
    [InlineData("telegram:-100123", "telegram:-100123", true)]
    [InlineData("telegram:-100123", "telegram:-100123/7", true)]
    [InlineData("telegram:-100123", "telegram:-100123/7:u42", true)]
    [InlineData("telegram:-100123", "telegram:-100123/-:u42", true)]
    [InlineData("telegram:-100123/7", "telegram:-100123/7:u42", true)]
    [InlineData("telegram:-100123/7", "telegram:-100123/7", true)]
    [InlineData("TELEGRAM:-100123", "telegram:-100123/7", true)]
    [InlineData(" telegram:-100123 ", "telegram:-100123/7", true)]
    [InlineData("telegram:-1001", "telegram:-10012", false)]
    [InlineData("telegram:-1001", "telegram:-10012/7", false)]
    [InlineData("telegram:-100123/7", "telegram:-100123/77", false)]
    [InlineData("telegram:-100123/7", "telegram:-100123/8:u42", false)]
    [InlineData("telegram:-100123/7", "telegram:-100123", false)]
    [InlineData("telegram:-100123/7:u42", "telegram:-100123/7:u43", false)]
    [InlineData("telegram:-100123/7:u4", "telegram:-100123/7:u42", false)]
    [InlineData("discord:123", "telegram:123", false)]
    [InlineData("", "telegram:123", false)]
    public void ConversationMatches_EntryAllowsItsConversationAndWhatIsInside(string entry, string conversation, bool expected)
    {
        Assert.Equal(expected, AccessRules.ConversationMatches(entry, conversation));
    }

    [Fact]
    public async Task Engine_AllowedGroup_AnswersItsForumTopicWithPerUserHistory()
    {
        await using EngineHarness harness = EngineHarness.Create(s => s["Access:AllowedConversations:0"] = "telegram:-100123");
        IncomingMessage Topic(string chat) => EngineHarness.Message("hi") with { Conversation = new ConversationKey(Platform.Telegram, chat, "7:u42") };

        RecordingReplySinkAssert.HasAnswer(await harness.SendAsync(Topic("-100123")));
        Testing.Engine.RecordingReplySink refused = await harness.SendAsync(Topic("-1001234"));

        Assert.Contains("allow-list", Assert.Single(refused.Replies).Text, StringComparison.Ordinal);
        Assert.Single(harness.Model.ChatPrompts);
    }
}
