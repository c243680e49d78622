using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;

namespace ChatBots.Engine.Tests;

public sealed class TokenCounterTests
{
    private readonly TokenCounter _counter = new();

    [Fact]
    public void CountText_LongChinese_DiffersBetweenCl100kAndO200k()
    {
        string text = string.Concat(Enumerable.Repeat("今天天气很好，我们去公园散步吧。人工智能正在改变世界。", 40));

        int cl100k = _counter.CountText(text, TokenEncodings.Cl100kBase);
        int o200k = _counter.CountText(text, TokenEncodings.O200kBase);

        Assert.NotEqual(cl100k, o200k);
        // o200k has far more CJK merges: it needs fewer tokens for Chinese.
        Assert.True(o200k < cl100k, $"o200k {o200k} should be below cl100k {cl100k}");
        Assert.True(o200k >= text.Length / 3, "Chinese never gets cheaper than about a token per three characters");
    }

    [Fact]
    public void CountText_KnownEnglishSentence_MatchesTiktoken()
    {
        // tiktoken: "hello world" is 2 tokens in both encodings.
        Assert.Equal(2, _counter.CountText("hello world", TokenEncodings.O200kBase));
        Assert.Equal(2, _counter.CountText("hello world", TokenEncodings.Cl100kBase));
    }

    private static readonly (string Role, string? Name, string Content)[] CookbookExample =
    [
        ("system", null, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
        ("system", "example_user", "New synergies will help drive top-line growth."),
        ("system", "example_assistant", "Things working well together will increase revenue."),
        ("system", "example_user", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."),
        ("system", "example_assistant", "Let's talk later when we're less busy about how to do better."),
        ("user", null, "This late pivot means we don't have time to boil the ocean for the client deliverable."),
    ];

    [Theory]
    [InlineData(TokenEncodings.Cl100kBase)]
    [InlineData(TokenEncodings.O200kBase)]
    public void CountMessage_ConversationWithNames_EqualsIndependentSumOfPartEncodings(string encoding)
    {
        var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(encoding);
        int independent = 3;
        foreach ((string role, string? name, string content) in CookbookExample)
        {
            independent += 3 + tokenizer.EncodeToIds(role).Count + tokenizer.EncodeToIds(content).Count;
            if (name is not null)
            {
                independent += tokenizer.EncodeToIds(name).Count + 1;
            }
        }

        int engine = CookbookExample.Sum(m => _counter.CountMessage(m.Role, m.Content, m.Name, encoding)) + TokenCounter.ReplyPriming;

        Assert.Equal(independent, engine);
    }

    [Theory]
    [InlineData(TokenEncodings.Cl100kBase, 129)]
    [InlineData(TokenEncodings.O200kBase, 124)]
    public void CountMessage_OpenAICookbookExample_MatchesPublishedPromptTokens(string encoding, int expected)
    {
        // OpenAI cookbook "How to count tokens with tiktoken": 129 prompt tokens for gpt-3.5-turbo/gpt-4, 124 for gpt-4o/gpt-4o-mini.
        int engine = CookbookExample.Sum(m => _counter.CountMessage(m.Role, m.Content, m.Name, encoding)) + TokenCounter.ReplyPriming;

        Assert.Equal(expected, engine);
    }

    [Theory]
    [InlineData(TokenEncodings.Cl100kBase)]
    [InlineData(TokenEncodings.O200kBase)]
    public void Framing_CookbookExample_IsEverythingButTheContent(string encoding)
    {
        // The engine counts a new message's text once and adds this framing: the cookbook's total must still come out.
        var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(encoding);
        foreach ((string role, string? name, string content) in CookbookExample)
        {
            int expected = 3 + tokenizer.EncodeToIds(role).Count + (name is null ? 0 : tokenizer.EncodeToIds(name).Count + 1);

            Assert.Equal(expected, _counter.Framing(role, name, encoding));
            Assert.Equal(_counter.CountMessage(role, content, name, encoding), _counter.Framing(role, name, encoding) + _counter.CountText(content, encoding));
        }
    }
}
