using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;

namespace ChatBots.Telegram;

/// <summary>
/// Which parts of one update's replies the user already has. Kept in the journal after every part, so a replay of the
/// update (the engine answers a replayed message with its stored answer, split the same way) skips them: an answer cut
/// off by a shutdown or a failed send goes on where it stopped instead of starting over. Counted per reply kind, so a
/// transcript and an answer are counted apart, and a reply the replay leaves out (a truncation notice comes only with a
/// fresh model call) does not shift the count of the others.
/// </summary>
internal sealed class DeliveredParts(UpdateJournal journal, int updateId, ILogger logger)
{
    private readonly Dictionary<ReplyKind, int> _delivered = [];
    private readonly Dictionary<ReplyKind, int> _seen = [];
    private bool _loaded;

    /// <summary>Parts skipped because an earlier attempt delivered them.</summary>
    public int Skipped { get; private set; }

    /// <summary>Parts delivered by this attempt.</summary>
    public int Sent { get; private set; }

    /// <summary>Reads what earlier attempts delivered (once).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        foreach ((ReplyKind kind, int count) in await journal.GetDeliveredPartsAsync(updateId, cancellationToken))
        {
            _delivered[kind] = count;
        }

        _loaded = true;
    }

    /// <summary>Moves to the next part of a reply of <paramref name="kind"/>; true when the user already has it.</summary>
    public bool NextIsDelivered(ReplyKind kind)
    {
        int index = _seen.GetValueOrDefault(kind);
        _seen[kind] = index + 1;
        bool delivered = index < _delivered.GetValueOrDefault(kind);
        if (delivered)
        {
            Skipped++;
        }

        return delivered;
    }

    /// <summary>Records that the current part of <paramref name="kind"/> reached the user.</summary>
    public async Task MarkDeliveredAsync(ReplyKind kind)
    {
        Sent++;
        _delivered[kind] = _seen.GetValueOrDefault(kind);
        try
        {
            // Not cancellable: the part is out, and a shutdown must not keep the journal from knowing it.
            await journal.SetDeliveredPartsAsync(updateId, _delivered, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Nothing to undo: the user has the part. Only a replay of this update could send it once more.
            Log.DeliveredPartsNotSaved(logger, updateId, ex);
        }
    }
}
