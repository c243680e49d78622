using System.Globalization;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using ChatBots.Storage;

namespace ChatBots.Benchmarks.Benchmarks;

/// <summary>Turns, ledger entries and populated store files for the store benchmarks.</summary>
internal static class StoreData
{
    private const string User = "你好! Could you explain how the token window works? 🙂 我想知道成本。";
    private const string Answer = "Sure — the bot keeps recent messages verbatim and folds older ones into a short summary, so each prompt stays inside the budget. 这样成本更低。";
    private static readonly DateTimeOffset At = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public static ConversationKey Key(int i) => new(Platform.Telegram, (1_000_000 + i).ToString(CultureInfo.InvariantCulture));

    public static StoredTurn[] Exchange(long firstSequence) =>
    [
        new(firstSequence, TurnRole.User, "telegram:42", null, User, 40, "o200k_base", At),
        new(firstSequence + 1, TurnRole.Assistant, null, null, Answer, 45, "o200k_base", At),
    ];

    public static LedgerEntry Entry(ConversationKey key) =>
        new(At, key, "telegram:42", "gpt-4o-mini", LedgerKind.Chat, 1_200, 1_024, 45, 0m, new MicroUsd(130), Estimated: false, "2026-11-28");

    /// <summary>A directory holding a store of <paramref name="conversations"/> conversations, built once and reused.</summary>
    public static async Task<string> PopulatedAsync(int conversations)
    {
        string directory = Path.Combine(Path.GetTempPath(), "chatbots-bench", $"open-{conversations}");
        string marker = Path.Combine(directory, "populated");
        if (File.Exists(marker))
        {
            return directory;
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        await using (SqliteStore store = await SqliteStore.OpenAsync(directory, CancellationToken.None))
        {
            for (int i = 0; i < conversations; i++)
            {
                ConversationKey key = Key(i);
                await store.AppendTurnsAsync(key, Exchange(1), CancellationToken.None);
                await store.AppendAsync(Entry(key), CancellationToken.None);
            }
        }

        await File.WriteAllTextAsync(marker, "ok");
        return directory;
    }
}
