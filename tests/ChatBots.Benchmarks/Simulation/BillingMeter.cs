using ChatBots.Engine.Models;
using ChatBots.Engine.Tokens;
using Microsoft.ML.Tokenizers;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// Bills requests the way OpenAI does, for one conversation: prompt tokens are the exact framed count (the same
/// framing as <see cref="TokenCounter"/>); a prompt sharing at least 1,024 leading tokens with one of the
/// <see cref="RecentRequests"/> latest requests gets that shared prefix, rounded down to 128-token steps, at the
/// cached price. Every policy is billed by this one class, so the comparison is like for like.
/// </summary>
internal sealed class BillingMeter
{
    /// <summary>Requests remembered for caching; OpenAI keeps a prefix 5–10 minutes, a few turns of a live chat.</summary>
    public const int RecentRequests = 8;

    public const int MinCachedPrefix = 1_024;
    public const int CacheStep = 128;

    // Framing markers: negative so they never equal a real token id; their count matches the cookbook framing.
    private const int MessageStart = -1;
    private const int RoleEnd = -2;
    private const int NameEnd = -3;
    private const int MessageEnd = -4;
    private const int Priming = -5;

    private readonly Tokenizer _tokenizer;
    private readonly ModelInfo _model;
    private readonly Dictionary<string, int[]> _tokens = new(StringComparer.Ordinal);
    private readonly List<int[]> _recent = [];
    private readonly List<BilledCall> _calls = [];

    public BillingMeter(ModelInfo model)
    {
        _model = model;
        _tokenizer = TokenCounter.GetTokenizer(model.Encoding);
    }

    public IReadOnlyList<BilledCall> Calls => _calls;

    public ModelInfo Model => _model;

    /// <summary>Tokens of a text without framing (memoised: histories resend the same texts).</summary>
    public int CountText(string text) => Tokens(text).Length;

    /// <summary>Bills one request and remembers its prompt for the cache.</summary>
    public BilledCall Bill(IReadOnlyList<SimMessage> messages, long outputTokens, bool isSummary)
    {
        int[] prompt = Render(messages);
        int shared = 0;
        foreach (int[] recent in _recent)
        {
            shared = Math.Max(shared, prompt.AsSpan().CommonPrefixLength(recent));
        }

        long cached = shared >= MinCachedPrefix ? shared / CacheStep * CacheStep : 0;
        long cost = _model.Prices.ChatCost(prompt.Length, cached, outputTokens).Value;
        var call = new BilledCall(prompt.Length, cached, outputTokens, cost, isSummary);
        _calls.Add(call);
        _recent.Add(prompt);
        if (_recent.Count > RecentRequests)
        {
            _recent.RemoveAt(0);
        }

        return call;
    }

    /// <summary>The prompt as a token sequence whose length is the framed count the server bills.</summary>
    public int[] Render(IReadOnlyList<SimMessage> messages)
    {
        var sequence = new List<int>(4_096);
        foreach (SimMessage m in messages)
        {
            sequence.Add(MessageStart);
            sequence.AddRange(Tokens(m.Role));
            sequence.Add(RoleEnd);
            if (!string.IsNullOrEmpty(m.Name))
            {
                sequence.AddRange(Tokens(m.Name));
                sequence.Add(NameEnd);
            }

            sequence.AddRange(Tokens(m.Text));
            sequence.Add(MessageEnd);
        }

        sequence.Add(Priming);
        sequence.Add(Priming);
        sequence.Add(Priming);
        return [.. sequence];
    }

    private int[] Tokens(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        if (!_tokens.TryGetValue(text, out int[]? ids))
        {
            ids = [.. _tokenizer.EncodeToIds(text)];
            _tokens[text] = ids;
        }

        return ids;
    }
}
