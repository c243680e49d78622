namespace ChatBots.Discord.Adapter;

/// <summary>
/// A thread-safe set of ids that forgets the oldest once it holds <c>capacity</c>: memory stays bounded however long
/// the host runs, and only the recent past matters for what it answers (replays, replies, threads).
/// </summary>
internal sealed class BoundedIdSet(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>False when the id was already there.</summary>
    public bool Add(string id)
    {
        lock (_gate)
        {
            if (!_ids.Add(id))
            {
                return false;
            }

            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    public bool Contains(string id)
    {
        lock (_gate)
        {
            return _ids.Contains(id);
        }
    }
}
