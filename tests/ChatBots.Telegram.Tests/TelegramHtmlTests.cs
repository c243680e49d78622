namespace ChatBots.Telegram.Tests;

public sealed class TelegramHtmlTests
{
    [Theory]
    [InlineData("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d")]
    [InlineData("<script>alert(\"x\")</script>", "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")]
    [InlineData("AT&T", "AT&amp;T")]
    [InlineData("**bold** and *italic* and _it_", "<b>bold</b> and <i>italic</i> and <i>it</i>")]
    [InlineData("__bold__ ~~gone~~", "<b>bold</b> <s>gone</s>")]
    [InlineData("use `x < 1` here", "use <code>x &lt; 1</code> here")]
    [InlineData("[docs](https://example.com/?a=1&b=2)", "<a href=\"https://example.com/?a=1&amp;b=2\">docs</a>")]
    [InlineData("# Title", "<b>Title</b>")]
    public void FromMarkdown_Formats_AndEscapesModelText(string markdown, string html)
    {
        Assert.Equal(html, TelegramHtml.FromMarkdown(markdown));
    }

    [Theory]
    [InlineData("2 * 3 * 4", "2 * 3 * 4")]
    [InlineData("**unclosed bold", "**unclosed bold")]
    [InlineData("*unclosed italic", "*unclosed italic")]
    [InlineData("snake_case_name", "snake_case_name")]
    [InlineData("* list item", "* list item")]
    [InlineData("`unclosed code", "`unclosed code")]
    [InlineData("[text](javascript:alert(1))", "[text](javascript:alert(1))")]
    [InlineData("**bold *half**", "<b>bold *half</b>")]
    [InlineData("**a <b> c**", "<b>a &lt;b&gt; c</b>")]
    public void FromMarkdown_UnbalancedOrUnsafeMarkers_StayLiteral(string markdown, string html)
    {
        Assert.Equal(html, TelegramHtml.FromMarkdown(markdown));
    }

    [Fact]
    public void FromMarkdown_FencedCode_PreWithLanguageAndEscapedContent()
    {
        string html = TelegramHtml.FromMarkdown("Try:\n```csharp\nif (a < b && **c**) {}\n```\nDone");
        Assert.Equal("Try:\n<pre><code class=\"language-csharp\">if (a &lt; b &amp;&amp; **c**) {}</code></pre>\nDone", html);
    }

    [Fact]
    public void FromMarkdown_FenceWithoutLanguage_PlainPre()
    {
        Assert.Equal("<pre>x &gt; 1</pre>", TelegramHtml.FromMarkdown("```\nx > 1\n```"));
    }

    [Fact]
    public void FromMarkdown_UnsafeLanguage_IsDropped()
    {
        Assert.Equal("<pre>x</pre>", TelegramHtml.FromMarkdown("```a\"onclick\nx\n```"));
    }

    [Theory]
    [InlineData("<b>bold</b> &amp; more", 11)]
    [InlineData("plain", 5)]
    [InlineData("<pre><code class=\"language-x\">a &lt; b</code></pre>", 5)]
    public void PlainLength_CountsTextWithoutTags(string html, int length)
    {
        Assert.Equal(length, TelegramHtml.PlainLength(html));
    }

    [Fact]
    public void FromMarkdown_EveryGeneratedTagIsClosed()
    {
        string[] samples = ["**a *b* c**", "*a **b** c*", "__x__y__", "[**x**](https://e.com) `y`", "~~a **b~~ c**", "_a *b_ c*"];
        foreach (string sample in samples)
        {
            string html = TelegramHtml.FromMarkdown(sample);
            foreach (string tag in new[] { "b", "i", "s", "code", "a", "pre" })
            {
                int open = html.Split($"<{tag}>").Length - 1 + html.Split($"<{tag} ").Length - 1;
                int close = html.Split($"</{tag}>").Length - 1;
                Assert.True(open == close, $"{sample} -> {html}: <{tag}> {open} vs {close}");
            }
        }
    }
}
