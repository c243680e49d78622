using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using Microsoft.Extensions.AI;

namespace ChatBots.Engine.Processing;

/// <summary>
/// A summary call prepared but not sent: its model, prompt and limits, so its worst case can be reserved against the
/// budgets before anything is paid.
/// </summary>
/// <param name="Model">The summary model.</param>
/// <param name="Messages">The prompt (instructions, then the transcript).</param>
/// <param name="PromptTokens">Our count of the prompt.</param>
/// <param name="MaxOutputTokens">The reply limit sent (<c>Engine:SummaryMaxTokens</c>).</param>
public sealed record SummaryRequest(ModelInfo Model, IList<ChatMessage> Messages, long PromptTokens, int MaxOutputTokens)
{
    /// <summary>What the call costs at most: the whole prompt uncached and the full reply limit.</summary>
    public MicroUsd WorstCase => Model.Prices.ChatCost(PromptTokens, 0, MaxOutputTokens);
}
