namespace ChatBots.Discord.Gateway;

/// <summary>Why one connection ended and what to do next.</summary>
/// <param name="Action">Resume, Identify or stop.</param>
/// <param name="Reason">For logs: the close code or event.</param>
/// <param name="CloseCode">The server's close code, if it sent one.</param>
/// <param name="CloseOurselves">True when we end the connection (zombie, op 7, op 9): close with 4000, never 1000/1001.</param>
/// <param name="Immediate">Reconnect after only a short jittered delay when the connection was healthy (op 7, zombie, 4000).</param>
/// <param name="InvalidSession">Op 9 false: wait 1-5 s before the new Identify.</param>
internal sealed record ConnectionOutcome(
    ReconnectAction Action,
    string Reason,
    int? CloseCode = null,
    bool CloseOurselves = false,
    bool Immediate = true,
    bool InvalidSession = false);
