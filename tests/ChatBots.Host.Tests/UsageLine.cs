namespace ChatBots.Host.Tests;

/// <summary>One row of <c>chatbots usage</c>: calls, tokens, audio seconds and cost in micro-dollars.</summary>
internal sealed record UsageLine(long Calls, long Input, long Cached, long Output, decimal AudioSeconds, long CostMicroUsd);
