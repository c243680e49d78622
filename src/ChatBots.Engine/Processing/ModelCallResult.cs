namespace ChatBots.Engine.Processing;

/// <summary>What one model call produced and what it cost.</summary>
/// <param name="Text">The answer text.</param>
/// <param name="Model">The model the server reported, else the one asked for.</param>
/// <param name="InputTokens">Prompt tokens (reported, or our count).</param>
/// <param name="CachedInputTokens">Cached prompt tokens as reported (0 when unknown).</param>
/// <param name="OutputTokens">Completion tokens (reported, or our count).</param>
/// <param name="UsageReported">False when the server sent no usage and the counts are ours.</param>
public sealed record ModelCallResult(string Text, string Model, long InputTokens, long CachedInputTokens, long OutputTokens, bool UsageReported);
