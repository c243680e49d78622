namespace ChatBots.Telegram;

/// <summary>
/// An accepted update the dispatcher keeps track of until it is answered: in the engine's hands, waiting for another
/// attempt after a failed delivery, waiting for room in its conversation's lane, or waiting behind an earlier update of
/// its conversation. Guarded by the dispatcher's lock.
/// </summary>
internal sealed class HeldUpdate(MappedMessage mapped, bool live)
{
    public MappedMessage Mapped { get; } = mapped;

    public int UpdateId => Mapped.UpdateId;

    /// <summary>Sent while the bot was running and not yet held back: a full lane answers it "busy" instead of waiting.</summary>
    public bool Live { get; set; } = live;

    /// <summary>Queued on the engine's lane; the sink reports back when it is done.</summary>
    public bool InEngine { get; set; }

    /// <summary>When its delivery failed, the earliest time of the next attempt.</summary>
    public DateTimeOffset? Due { get; set; }

    /// <summary>When its delivery first failed; only failed deliveries are ever given up on.</summary>
    public DateTimeOffset? FailedSince { get; set; }

    /// <summary>Failed deliveries in a row (the wait doubles with each).</summary>
    public int Failures { get; set; }

    /// <summary>The lane was full at its last attempt: it goes next once a message of its conversation finishes.</summary>
    public bool WaitingForRoom { get; set; }

    /// <summary>Already logged as waiting behind an earlier update (logged once, not at every attempt).</summary>
    public bool LoggedBehind { get; set; }
}
