using BenchmarkDotNet.Attributes;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using ChatBots.Storage;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>
/// What the engine writes per answered message with the SQLite store (WAL, synchronous=NORMAL): one append of the
/// user turn and the answer, and one ledger entry; spread over 1,000 conversations in a fresh database.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class StoreAppendBenchmarks
{
    private const int Keys = 1_000;
    private readonly long[] _sequences = new long[Keys];
    private ConversationKey[] _keys = [];
    private string _directory = "";
    private SqliteStore _store = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "chatbots-bench", "append-" + Guid.NewGuid().ToString("N"));
        _store = await SqliteStore.OpenAsync(_directory, CancellationToken.None);
        _keys = [.. Enumerable.Range(0, Keys).Select(StoreData.Key)];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public async Task AppendTurnAndLedgerEntry()
    {
        int k = _next++ % Keys;
        long sequence = _sequences[k];
        _sequences[k] += 2;
        ConversationKey key = _keys[k];
        await _store.AppendTurnsAsync(key, StoreData.Exchange(sequence + 1), CancellationToken.None);
        await _store.AppendAsync(StoreData.Entry(key), CancellationToken.None);
    }
}
