using System.Text;
using BenchmarkDotNet.Attributes;
using ChatBots.Engine.Tokens;
using SharpToken;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// Token counting throughput on the committed mixed corpus: the engine's counter (Microsoft.ML.Tokenizers) against
/// SharpToken, both encodings, on the whole corpus at once and on chat-sized paragraphs (how the engine counts).
/// The setup checks both libraries agree on the counts, outside the timing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TokenCountingBenchmarks
{
    private readonly TokenCounter _counter = new();
    private string _corpus = "";
    private string[] _paragraphs = [];
    private GptEncoding _sharp = null!;

    [Params("o200k_base", "cl100k_base")]
    public string Encoding { get; set; } = "o200k_base";

    /// <summary><c>corpus</c>: one 256 KB string; <c>messages</c>: the corpus as its paragraphs, one call each.</summary>
    [Params("corpus", "messages")]
    public string Input { get; set; } = "corpus";

    /// <summary>UTF-8 bytes counted per operation, for the MB/s column.</summary>
    public static long CorpusBytes => System.Text.Encoding.UTF8.GetByteCount(BenchmarkData.Corpus);

    [GlobalSetup]
    public void Setup()
    {
        _corpus = BenchmarkData.Corpus;
        _paragraphs = _corpus.Split("\n\n");
        _sharp = GptEncoding.GetEncoding(Encoding);
        (long engine, long sharp) = Counts(_counter, _sharp, _corpus, Encoding);
        if (engine != sharp)
        {
            throw new InvalidOperationException($"Token counts differ on the corpus in {Encoding}: engine {engine}, SharpToken {sharp}.");
        }
    }

    [Benchmark(Baseline = true)]
    public long Engine()
    {
        if (Input == "corpus")
        {
            return _counter.CountText(_corpus, Encoding);
        }

        long total = 0;
        foreach (string p in _paragraphs)
        {
            total += _counter.CountText(p, Encoding);
        }

        return total;
    }

    [Benchmark]
    public long SharpToken()
    {
        if (Input == "corpus")
        {
            return _sharp.CountTokens(_corpus);
        }

        long total = 0;
        foreach (string p in _paragraphs)
        {
            total += _sharp.CountTokens(p);
        }

        return total;
    }

    /// <summary>Both libraries' counts of a text; the corpus must give the same number.</summary>
    public static (long Engine, long SharpToken) Counts(TokenCounter counter, GptEncoding sharp, string text, string encoding) =>
        (counter.CountText(text, encoding), sharp.CountTokens(text));

    internal static string Describe()
    {
        var text = new StringBuilder();
        var counter = new TokenCounter();
        foreach (string encoding in new[] { "o200k_base", "cl100k_base" })
        {
            (long engine, long sharp) = Counts(counter, GptEncoding.GetEncoding(encoding), BenchmarkData.Corpus, encoding);
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Corpus ({CorpusBytes:N0} UTF-8 bytes, {BenchmarkData.Corpus.Length:N0} chars) in {encoding}: engine {engine:N0} tokens, SharpToken {sharp:N0} tokens — {(engine == sharp ? "identical" : "DIFFERENT")}");
        }

        return text.ToString().TrimEnd();
    }
}
