namespace ChatBots.Discord.Gateway;

/// <summary>
/// Session id, resume URL and last sequence, always changed together under one lock: a stale sequence paired with a
/// new session is a known cause of failed resumes. It also keeps the sequences of tracked dispatches (messages) whose
/// handling has not finished, so that what is persisted for a restart can stop short of them (<see cref="ResumePoint"/>).
/// </summary>
internal sealed class GatewaySession
{
    private readonly Lock _gate = new();
    private readonly SortedSet<long> _unfinished = [];
    private string? _sessionId;
    private string? _resumeUrl;
    private long? _seq;
    private int _epoch;

    public bool HasSession
    {
        get
        {
            lock (_gate)
            {
                return _sessionId is not null && _resumeUrl is not null;
            }
        }
    }

    /// <summary>The live state: a reconnect of this process resumes at the latest sequence (unfinished work is still here).</summary>
    public (string? SessionId, string? ResumeUrl, long? Seq) Snapshot()
    {
        lock (_gate)
        {
            return (_sessionId, _resumeUrl, _seq);
        }
    }

    /// <summary>
    /// What a restarted process should resume at: the latest sequence such that every tracked dispatch at or below it
    /// has finished. Discord replays everything after it, so messages received but not answered come back; the ones
    /// answered meanwhile are recognised by the adapter and skipped.
    /// </summary>
    public (string? SessionId, string? ResumeUrl, long? Seq) ResumePoint()
    {
        lock (_gate)
        {
            long? seq = _unfinished.Count == 0 || _seq is null ? _seq : Math.Min(_seq.Value, _unfinished.Min - 1);
            return (_sessionId, _resumeUrl, seq);
        }
    }

    public long? Seq
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    /// <summary>READY: the new session (the sequence was already set by READY's own <c>s</c>).</summary>
    public void Start(string sessionId, string resumeUrl)
    {
        lock (_gate)
        {
            _sessionId = sessionId;
            _resumeUrl = resumeUrl;
        }
    }

    public void Restore(string sessionId, string resumeUrl, long? seq)
    {
        lock (_gate)
        {
            _sessionId = sessionId;
            _resumeUrl = resumeUrl;
            _seq = seq;
            ForgetUnfinished();
        }
    }

    /// <summary>
    /// Records a dispatch's sequence; false when it is not newer (a replayed event already handled). A tracked dispatch
    /// counts as unfinished until <see cref="Finish"/> is called with the returned epoch.
    /// </summary>
    public bool TryAdvance(long seq, bool track, out int epoch)
    {
        lock (_gate)
        {
            epoch = _epoch;
            if (_seq is long last && seq <= last)
            {
                return false;
            }

            _seq = seq;
            if (track)
            {
                _unfinished.Add(seq);
            }

            return true;
        }
    }

    /// <summary>The handling of a tracked dispatch finished; ignored when its session was dropped meanwhile.</summary>
    public void Finish(int epoch, long seq)
    {
        lock (_gate)
        {
            if (epoch == _epoch)
            {
                _unfinished.Remove(seq);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _sessionId = null;
            _resumeUrl = null;
            _seq = null;
            ForgetUnfinished();
        }
    }

    /// <summary>Sequences belong to one session: a new epoch keeps late finishes of the old one from touching the next.</summary>
    private void ForgetUnfinished()
    {
        _unfinished.Clear();
        _epoch++;
    }
}
