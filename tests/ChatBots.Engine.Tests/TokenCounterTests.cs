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
}
