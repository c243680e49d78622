using ChatBots.Engine.Storage;

namespace ChatBots.Engine.Processing;

/// <summary>The oldest turns chosen for folding into the summary, and the summary call that will fold them.</summary>
/// <param name="Turns">The turns to fold, oldest first.</param>
/// <param name="Tokens">Their tokens.</param>
/// <param name="Request">The prepared summary call.</param>
/// <param name="PromptBefore">The prompt if the turns stay (a failed summary that still fits).</param>
/// <param name="PromptAfter">An upper bound of the prompt once they are folded (the summary at its largest).</param>
internal sealed record EvictionPlan(IReadOnlyList<StoredTurn> Turns, long Tokens, SummaryRequest Request, long PromptBefore, long PromptAfter);
