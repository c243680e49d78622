using ChatBots.Engine.Text;

namespace ChatBots.Engine.Tests.Text;

/// <summary>The splitter at Discord's 2,000-character limit.</summary>

public sealed class MessageSplitterAt2000Tests
{
    [Fact]
    public void Split_ShortText_OnePartUnchanged()
    {
        Assert.Equal(["hello **world**"], MessageSplitter.Split("hello **world**", 2000));
    }

    [Fact]
    public void Split_Paragraphs_CutsAtParagraphBoundary()
    {
        string a = new('a', 1200);
        string b = new('b', 1200);

        IReadOnlyList<string> parts = MessageSplitter.Split(a + "\n\n" + b, 2000);

        Assert.Equal([a, b], parts);
    }

    [Fact]
    public void Split_LinesWithoutParagraphs_CutsAtLineBoundary()
    {
        string text = string.Join("\n", Enumerable.Range(0, 100).Select(i => $"line {i:000} " + new string('x', 30)));

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.All(parts, p => Assert.True(p.Length <= 2000));
        Assert.All(parts, p => Assert.StartsWith("line ", p, StringComparison.Ordinal));
        Assert.Equal(text, string.Join("\n", parts));
    }

    [Fact]
    public void Split_OneLongLine_CutsAfterSentence()
    {
        string sentence = "This is a sentence that goes on for a while. ";
        string text = string.Concat(Enumerable.Repeat(sentence, 60)).TrimEnd();

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.Equal(2, parts.Count);
        Assert.EndsWith(".", parts[0], StringComparison.Ordinal);
        Assert.StartsWith("This is", parts[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Split_NoSentences_CutsAtWordBoundary()
    {
        string text = string.Join(" ", Enumerable.Repeat("word", 700));

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.All(parts, p => Assert.True(p.Length <= 2000));
        Assert.All(parts, p => Assert.Matches("^(word ?)+$", p));
        Assert.Equal(700, parts.Sum(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
    }

    [Fact]
    public void Split_NoBoundaryAtAll_HardCutKeepsSurrogatePairs()
    {
        string text = string.Concat(Enumerable.Repeat("😀", 1500)); // 3000 UTF-16 units

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.All(parts, p => Assert.True(p.Length <= 2000));
        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Split_CodeBlockAcrossParts_ClosesAndReopensWithLanguage()
    {
        string code = "```python\n" + string.Join("\n", Enumerable.Range(0, 150).Select(i => $"print('value number {i:000}')")) + "\n```";
        string text = "Here is the script:\n\n" + code + "\n\nThat is all.";

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.True(parts.Count >= 2);
        Assert.All(parts, p => Assert.True(p.Length <= 2000, $"{p.Length}"));
        Assert.All(parts, p => Assert.Equal(0, p.Split('\n').Count(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal)) % 2));
        Assert.All(parts.Skip(1).Where(p => p.Contains("print(", StringComparison.Ordinal)), p => Assert.StartsWith("```python\n", p, StringComparison.Ordinal));
        Assert.Equal(150, parts.Sum(p => p.Split('\n').Count(l => l.StartsWith("print(", StringComparison.Ordinal))));
        Assert.EndsWith("That is all.", parts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Split_CustomLimit_EveryPartWithinLimit()
    {
        string text = string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Item {i}: " + string.Join(" ", Enumerable.Repeat("lorem ipsum", 10))));

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 500);

        Assert.All(parts, p => Assert.True(p.Length <= 500));
        Assert.StartsWith("Item 0:", parts[0], StringComparison.Ordinal);
        Assert.Contains("Item 39:", parts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Split_CutJustBeforeClosingFence_NoEmptyBlockInNextPart()
    {
        string code = "```\n" + string.Join("\n", Enumerable.Range(0, 11).Select(i => $"line {i:00} " + new string('x', 172))) + "\n```";
        string text = code + "\n" + string.Join(" ", Enumerable.Repeat("after", 300));

        IReadOnlyList<string> parts = MessageSplitter.Split(text, 2000);

        Assert.All(parts, p => Assert.True(p.Length <= 2000));
        // The cut falls exactly before the closing fence (1994 characters of block).
        Assert.EndsWith("x\n```", parts[0], StringComparison.Ordinal);
        Assert.All(parts, p => Assert.DoesNotContain("```\n```", p, StringComparison.Ordinal));
        Assert.StartsWith("after", parts[1], StringComparison.Ordinal);
        Assert.All(parts, p => Assert.Equal(0, p.Split('\n').Count(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal)) % 2));
        Assert.Equal(300, parts.Sum(p => p.Split((char[])[' ', '\n']).Count(w => w == "after")));
    }
}
