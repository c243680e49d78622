namespace ChatBots.OpenAI;

/// <summary>How many times <see cref="CappedRetryPolicy"/> has retried one pipeline message.</summary>
internal sealed class RetryState
{
    public int Retries { get; set; }
}
