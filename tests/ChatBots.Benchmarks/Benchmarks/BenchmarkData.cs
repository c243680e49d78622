using ChatBots.Benchmarks.Generation;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>The committed corpus and chat-sized texts cut deterministically from the same generator.</summary>
internal static class BenchmarkData
{
    private static readonly Lazy<string> CorpusText = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "corpus.txt")));

    public static string Corpus => CorpusText.Value;

    /// <summary>Chat-sized messages in the shape of the mixed script: questions 20–300 chars, answers 150–900.</summary>
    public static (string User, string Answer)[] Exchanges(int count, int seed)
    {
        var source = new TextSource(seed);
        var exchanges = new (string, string)[count];
        for (int i = 0; i < count; i++)
        {
            exchanges[i] = (source.Chat(source.Next(20, 300)), source.Chat(source.Next(150, 900)));
        }

        return exchanges;
    }

    /// <summary>New user messages (20–300 chars), rotated so the tokenizer's cache sees fresh text.</summary>
    public static string[] NewMessages(int count, int seed)
    {
        var source = new TextSource(seed);
        return [.. Enumerable.Range(0, count).Select(_ => source.Chat(source.Next(20, 300)))];
    }
}
