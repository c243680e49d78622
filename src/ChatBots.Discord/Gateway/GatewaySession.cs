namespace ChatBots.Discord.Gateway;

/// <summary>
/// Session id, resume URL and last sequence, always changed together under one lock: a stale sequence paired with a
/// new session is a known cause of failed resumes.
/// </summary>
internal sealed class GatewaySession
{
    private readonly Lock _gate = new();
    private string? _sessionId;
    private string? _resumeUrl;
    private long? _seq;

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

    public (string? SessionId, string? ResumeUrl, long? Seq) Snapshot()
    {
        lock (_gate)
        {
            return (_sessionId, _resumeUrl, _seq);
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
        }
    }

    /// <summary>Records a dispatch's sequence; false when it is not newer (a replayed event already handled).</summary>
    public bool TryAdvance(long seq)
    {
        lock (_gate)
        {
            if (_seq is long last && seq <= last)
            {
                return false;
            }

            _seq = seq;
            return true;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _sessionId = null;
            _resumeUrl = null;
            _seq = null;
        }
    }
}
