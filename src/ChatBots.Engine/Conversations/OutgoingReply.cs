namespace ChatBots.Engine.Conversations;

/// <summary>What a reply is, so an adapter can format it: only <see cref="ReplyKind.Answer"/> carries model Markdown.</summary>
public enum ReplyKind
{
    /// <summary>The model's answer (Markdown).</summary>
    Answer,

    /// <summary>A transcript of the user's voice note.</summary>
    Transcript,

    /// <summary>Output of a command such as /usage (plain text).</summary>
    Command,

    /// <summary>A notice from the host: truncation, budget refusal, access refusal (plain text).</summary>
    Notice,

    /// <summary>A failure explained to the user in one short sentence (plain text).</summary>
    Error,
}

/// <summary>One reply to deliver. Adapters split it at their platform's limit.</summary>
public sealed record OutgoingReply(string Text, ReplyKind Kind);
