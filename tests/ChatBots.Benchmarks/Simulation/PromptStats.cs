namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// How much recent history each chat prompt kept verbatim, in whole exchanges (a user message followed by its
/// answer). Prompt i (0-based) can keep at most i exchanges.
/// </summary>
internal sealed class PromptStats
{
    private readonly List<int> _kept = [];

    public IReadOnlyList<int> Kept => _kept;

    public void RecordChatPrompt(IReadOnlyList<SimMessage> prompt)
    {
        int exchanges = 0;
        for (int i = 1; i < prompt.Count; i++)
        {
            if (prompt[i].Role == "assistant" && prompt[i - 1].Role == "user")
            {
                exchanges++;
            }
        }

        _kept.Add(exchanges);
    }

    /// <summary>
    /// The fewest exchanges any prompt kept verbatim among the prompts that had to leave some out (prompt i kept fewer
    /// than i); null when no prompt ever left anything out.
    /// </summary>
    public int? FewestKept() => _kept.Where((k, i) => k < i).Select(k => (int?)k).Min();

    /// <summary>True when every prompt kept at least the last min(<paramref name="floor"/>, available) exchanges.</summary>
    public bool KeptAtLeast(int floor) => _kept.Select((k, i) => k >= Math.Min(floor, i)).All(ok => ok);
}
