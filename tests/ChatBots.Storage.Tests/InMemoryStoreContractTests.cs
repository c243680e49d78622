using ChatBots.Testing.Engine;

namespace ChatBots.Storage.Tests;

/// <summary>
/// The store contract suite against the engine tests' in-memory fakes, so the fakes the engine is tested with behave
/// like the real store (settings outliving a reset, a batch failing as a whole, ...). Reopening returns the same data.
/// </summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    private readonly InMemoryConversationStore _store = new();
    private readonly InMemoryKeyValueStore _keyValues = new();

    protected override Task<StoreUnderTest> OpenStoreCoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new StoreUnderTest(_store, _store, _keyValues, new NoLifetime()));

    private sealed class NoLifetime : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
