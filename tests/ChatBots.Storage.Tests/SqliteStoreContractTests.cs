namespace ChatBots.Storage.Tests;

/// <summary>The store contract suite against <see cref="SqliteStore"/> in a temporary data directory.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override async Task<StoreUnderTest> OpenStoreCoreAsync(CancellationToken cancellationToken)
    {
        SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, cancellationToken);
        return new StoreUnderTest(store, store, store, store);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
