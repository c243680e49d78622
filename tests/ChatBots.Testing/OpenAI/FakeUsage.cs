namespace ChatBots.Testing.OpenAI;

/// <summary>The usage a fake reply reports (<c>prompt_tokens</c>, <c>completion_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>).</summary>
public sealed record FakeUsage(int PromptTokens, int CompletionTokens, int CachedTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
