using BenchmarkDotNet.Attributes;
using ChatBots.Engine.Conversations;
using ChatBots.Storage;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// Opening a SQLite store that holds <see cref="Conversations"/> conversations (two turns and one ledger entry each),
/// then loading one conversation, then closing it (which checkpoints the WAL). Allocations that do not grow with the
/// conversation count show the store never loads everything. The populated file is built once per size and kept
/// under the temp directory.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class StoreOpenBenchmarks
{
    private string _directory = "";

    /// <summary>The sizes to open; the smoke uses only the small one.</summary>
    public static IEnumerable<int> Sizes => Smoke ? [1_000] : [1_000, 100_000];

    /// <summary>Set by <c>--smoke</c> so CI does not build a 100,000-conversation file.</summary>
    public static bool Smoke { get; set; }

    [ParamsSource(nameof(Sizes))]
    public int Conversations { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _directory = await StoreData.PopulatedAsync(Conversations);

    [Benchmark]
    public async Task<int> OpenLoadOneAndClose()
    {
        await using SqliteStore store = await SqliteStore.OpenAsync(_directory, CancellationToken.None);
        var snapshot = await store.LoadAsync(StoreData.Key(Conversations / 2), CancellationToken.None);
        return snapshot.Turns.Count;
    }

    [Benchmark]
    public async Task<long> OpenCountAndClose()
    {
        await using SqliteStore store = await SqliteStore.OpenAsync(_directory, CancellationToken.None);
        return await store.CountConversationsAsync(CancellationToken.None);
    }
}
