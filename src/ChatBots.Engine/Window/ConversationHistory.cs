using ChatBots.Engine.Storage;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Window;

/// <summary>
/// One conversation's prompt material in memory: the rolling summary and the verbatim turns, each with its
/// <see cref="ChatMessage"/> built once and its token count counted once, so assembling a prompt is a list copy.
/// Not thread-safe: only the conversation's lane touches it.
/// </summary>
public sealed class ConversationHistory
{
    /// <summary>How many of the newest turns <see cref="ExchangeOf"/> searches (32 exchanges).</summary>
    public const int ReplayLookback = 64;

    private readonly List<HistoryTurn> _turns = [];

    public ConversationHistory(string encoding)
    {
        Encoding = encoding;
    }

    /// <summary>The encoding every count here is in.</summary>
    public string Encoding { get; }

    public ConversationSummary? Summary { get; private set; }

    /// <summary>The conversation's own settings (cap, footer), loaded with the history; they outlive <see cref="Clear"/>.</summary>
    public ConversationSettings Settings { get; set; } = ConversationSettings.Default;

    public ChatMessage? SummaryMessage { get; private set; }

    /// <summary>Sum of the framed token counts of the verbatim turns.</summary>
    public long HistoryTokens { get; private set; }

    /// <summary>Tokens of the summary message, framing included (0 without a summary).</summary>
    public int SummaryTokens => Summary?.TokenCount ?? 0;

    public int TurnCount => _turns.Count;

    public long NextSequence { get; private set; } = 1;

    public IReadOnlyList<HistoryTurn> Turns => _turns;

    public void SetSummary(ConversationSummary? summary, ChatMessage? message)
    {
        Summary = summary;
        SummaryMessage = message;
        if (summary is not null)
        {
            NextSequence = Math.Max(NextSequence, summary.ThroughSequence + 1);
        }
    }

    public void Append(StoredTurn turn, ChatMessage message)
    {
        _turns.Add(new HistoryTurn(turn, message));
        HistoryTokens += turn.TokenCount;
        NextSequence = Math.Max(NextSequence, turn.Sequence + 1);
    }

    /// <summary>
    /// The stored answer to the user turn that came from platform message <paramref name="sourceMessageId"/>, or null
    /// when that message was never answered (or its exchange was folded into the summary since).
    /// </summary>
    public StoredTurn? AnswerTo(string sourceMessageId) => ExchangeOf(sourceMessageId)?.Answer;

    /// <summary>
    /// The user turn that came from platform message <paramref name="sourceMessageId"/> and the stored answer to it, or
    /// null when that message was never answered, its exchange was folded into the summary or forgotten by
    /// <c>/reset</c> since, or it is older than the newest <see cref="ReplayLookback"/> turns.
    /// </summary>
    public (StoredTurn Question, StoredTurn Answer)? ExchangeOf(string sourceMessageId)
    {
        // A conversation's lane keeps its order, so a replayed message comes back before anything newer of its
        // conversation is answered: its exchange is among the last few. Looking no further keeps every turn's cost
        // independent of how long the history is.
        int oldest = Math.Max(0, _turns.Count - ReplayLookback);
        for (int i = _turns.Count - 2; i >= oldest; i--)
        {
            StoredTurn turn = _turns[i].Turn;
            if (turn.Role == TurnRole.User && string.Equals(turn.SourceMessageId, sourceMessageId, StringComparison.Ordinal))
            {
                StoredTurn next = _turns[i + 1].Turn;
                return next.Role == TurnRole.Assistant ? (turn, next) : null;
            }
        }

        return null;
    }

    /// <summary>Removes the oldest <paramref name="count"/> turns.</summary>
    public void RemoveOldest(int count)
    {
        for (int i = 0; i < count; i++)
        {
            HistoryTokens -= _turns[i].Turn.TokenCount;
        }

        _turns.RemoveRange(0, count);
    }

    public void Clear()
    {
        _turns.Clear();
        HistoryTokens = 0;
        Summary = null;
        SummaryMessage = null;
    }

    /// <summary>
    /// How many of the oldest turns to evict so that <paramref name="fixedTokens"/> + the remaining history fits
    /// <paramref name="target"/>. Whole exchanges go together: the kept history never starts with an assistant turn.
    /// </summary>
    public int PlanEviction(long fixedTokens, long target)
    {
        long remaining = HistoryTokens;
        int count = 0;
        while (count < _turns.Count && fixedTokens + remaining > target)
        {
            remaining -= _turns[count].Turn.TokenCount;
            count++;
        }

        while (count < _turns.Count && _turns[count].Turn.Role != TurnRole.User)
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// The prompt: system prompt → summary → verbatim turns → new message. The prefix before the new message only
    /// changes when turns are evicted (or the day changes), so providers can cache it.
    /// </summary>
    public List<ChatMessage> BuildPrompt(ChatMessage system, ChatMessage newMessage)
    {
        var messages = new List<ChatMessage>(_turns.Count + 3) { system };
        if (SummaryMessage is not null)
        {
            messages.Add(SummaryMessage);
        }

        foreach (HistoryTurn turn in _turns)
        {
            messages.Add(turn.Message);
        }

        messages.Add(newMessage);
        return messages;
    }
}

/// <summary>A stored turn with its prompt message.</summary>
public sealed record HistoryTurn(StoredTurn Turn, ChatMessage Message);
