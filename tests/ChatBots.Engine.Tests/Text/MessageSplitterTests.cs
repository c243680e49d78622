using System.Text;
using ChatBots.Engine.Text;

namespace ChatBots.Engine.Tests.Text;

public sealed class MessageSplitterTests
{
    [Fact]
    public void Split_ShortText_OnePartUnchanged()
    {
        Assert.Equal(["Hello there."], MessageSplitter.Split("Hello there.", 4096));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n  ")]
    public void Split_EmptyOrWhitespace_NoParts(string text)
    {
        Assert.Empty(MessageSplitter.Split(text, 4096));
    }

    [Fact]
    public void Split_Paragraphs_CutsAtParagraphBoundary()
    {
        string first = new('a', 150);
        string second = new('b', 150);
        IReadOnlyList<string> parts = MessageSplitter.Split($"{first}\n\n{second}", 200);
        Assert.Equal([first, second], parts);
    }

    [Fact]
    public void Split_NoParagraphs_CutsAtLineThenSentenceThenWord()
    {
        string lines = string.Join('\n', Enumerable.Repeat("line of text here", 20));
        Assert.All(MessageSplitter.Split(lines, 100), p => Assert.DoesNotContain("\nline of text her\n", "\n" + p + "\n", StringComparison.Ordinal));

        string sentences = string.Concat(Enumerable.Repeat("This is one sentence. ", 20));
        IReadOnlyList<string> sentenceParts = MessageSplitter.Split(sentences, 100);
        Assert.All(sentenceParts, p => Assert.EndsWith(".", p, StringComparison.Ordinal));

        string words = string.Join(' ', Enumerable.Repeat("word", 100));
        IReadOnlyList<string> wordParts = MessageSplitter.Split(words, 100);
        Assert.All(wordParts, p => Assert.All(p.Split(' '), w => Assert.Equal("word", w)));
        Assert.Equal(100, wordParts.Sum(p => p.Split(' ').Length));
    }

    [Fact]
    public void Split_NoBoundaryAtAll_HardCutsWithoutLosingText()
    {
        string text = new('x', 1000);
        IReadOnlyList<string> parts = MessageSplitter.Split(text, 300);
        Assert.All(parts, p => Assert.True(p.Length <= 300));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Split_NeverCutsASurrogatePair()
    {
        string text = string.Concat(Enumerable.Repeat("😀", 300));
        IReadOnlyList<string> parts = MessageSplitter.Split(text, 101);
        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Split_LongCodeBlock_ClosesAndReopensFenceWithLanguage()
    {
        var text = new StringBuilder("Intro.\n\n```python\n");
        for (int i = 0; i < 200; i++)
        {
            text.Append("    print(").Append(i).Append(")\n");
        }

        text.Append("```\nAfter.");
        IReadOnlyList<string> parts = MessageSplitter.Split(text.ToString(), 500);

        Assert.True(parts.Count > 3);
        Assert.All(parts, p => Assert.True(p.Length <= 500, $"{p.Length} > 500"));
        Assert.All(parts, p => Assert.Null(MessageSplitter.OpenFenceAfter(p)));
        Assert.All(parts.Skip(1).SkipLast(1), p => Assert.StartsWith("```python\n", p, StringComparison.Ordinal));
        string joined = string.Join('\n', parts);
        for (int i = 0; i < 200; i++)
        {
            Assert.Contains($"    print({i})", joined, StringComparison.Ordinal);
        }

        Assert.EndsWith("After.", parts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Split_TenThousandCharacters_PartsUnderLimitInOrder()
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < 10_000; i++)
        {
            text.Append("Sentence number ").Append(i).Append(". ");
            if (i % 7 == 6)
            {
                text.Append("\n\n");
            }
        }

        IReadOnlyList<string> parts = MessageSplitter.Split(text.ToString(), 4096);
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.Equal(
            text.ToString().Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal),
            string.Concat(parts).Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
    }
}
