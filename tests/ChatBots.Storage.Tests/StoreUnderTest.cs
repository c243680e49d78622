using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;

namespace ChatBots.Storage.Tests;

/// <summary>The three store contracts of one open store, and how to close it. Closing twice is harmless.</summary>
public sealed class StoreUnderTest(
    IConversationStore conversations,
    ILedgerStore ledger,
    IKeyValueStore keyValues,
    IAsyncDisposable lifetime) : IAsyncDisposable
{
    private int _closed;

    public IConversationStore Conversations { get; } = conversations;

    public ILedgerStore Ledger { get; } = ledger;

    public IKeyValueStore KeyValues { get; } = keyValues;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await lifetime.DisposeAsync();
        }
    }
}
