using System.Security.Cryptography;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.Storage.Tests;

/// <summary>What only the SQLite file shows: schema versions, journal mode, column types, the WAL on close.</summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private static readonly ConversationKey Chat = new(Platform.Telegram, "42");
    private static readonly DateTimeOffset At = new(2026, 11, 28, 9, 30, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Ct => _timeout.Token;

    private string DatabasePath => Path.Combine(_directory.Path, SqliteStore.FileName);

    public void Dispose()
    {
        _timeout.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task OpenAsync_MissingNestedDirectory_CreatesDatabaseInWalModeAtCurrentSchemaVersion()
    {
        string nested = Path.Combine(_directory.Path, "a", "b");

        await using (SqliteStore store = await SqliteStore.OpenAsync(nested, Ct))
        {
            Assert.Equal(Path.Combine(nested, "chatbots.db"), store.DatabasePath);
            Assert.Equal(SqliteSchema.CurrentVersion, store.SchemaVersion);
        }

        string path = Path.Combine(nested, "chatbots.db");
        Assert.Equal([.. Enumerable.Range(1, SqliteSchema.CurrentVersion).Select(v => (long)v)], Query(path, "SELECT version FROM schema_version ORDER BY version;"));
        Assert.Equal(["wal"], Query(path, "PRAGMA journal_mode;"));
        Assert.Equal(["conversations", "kv", "ledger", "schema_version", "turns"], Query(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"));
    }

    [Fact]
    public async Task OpenAsync_ExistingFileAtCurrentVersion_KeepsDataAndLeavesTheFileUnchanged()
    {
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.AppendTurnsAsync(Chat, [new StoredTurn(1, TurnRole.User, "telegram:42", "Ann", "hi", 5, "o200k_base", At)], Ct);
            await store.SetAsync("telegram:offset", "7", Ct);
        }

        byte[] before = SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath, Ct));
        await using (SqliteStore reopened = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            Assert.Equal("hi", Assert.Single((await reopened.LoadAsync(Chat, Ct)).Turns).Text);
            Assert.Equal("7", await reopened.GetAsync("telegram:offset", Ct));
        }

        Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath, Ct)));
        Assert.Equal([(long)SqliteSchema.CurrentVersion], Query(DatabasePath, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task OpenAsync_FileFromVersion1_MigratesAndKeepsItsTurns()
    {
        Directory.CreateDirectory(_directory.Path);
        Execute(
            DatabasePath,
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;" +
            SqliteSchema.MigrationFrom(0) +
            "INSERT INTO schema_version (version, applied_at) VALUES (1, 0);" +
            "INSERT INTO conversations (key, platform, updated_at) VALUES ('telegram:42', 'telegram', 0);" +
            "INSERT INTO turns (conversation_key, sequence, role, author_id, author_name, text, token_count, encoding, at) " +
            "VALUES ('telegram:42', 1, 'User', 'telegram:42', NULL, 'from an old build', 9, 'o200k_base', 0);");

        await using SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct);

        Assert.Equal(SqliteSchema.CurrentVersion, store.SchemaVersion);
        StoredTurn turn = Assert.Single((await store.LoadAsync(Chat, Ct)).Turns);
        Assert.Equal("from an old build", turn.Text);
        Assert.Null(turn.SourceMessageId);
        var answered = new StoredTurn(2, TurnRole.User, "telegram:42", null, "new", 4, "o200k_base", At) { SourceMessageId = "77" };
        await store.AppendTurnsAsync(Chat, [answered], Ct);
        Assert.Equal("77", (await store.LoadAsync(Chat, Ct)).Turns[^1].SourceMessageId);
    }

    [Fact]
    public async Task OpenAsync_FileFromANewerBuild_RefusesToOpen()
    {
        await (await SqliteStore.OpenAsync(_directory.Path, Ct)).DisposeAsync();
        Execute(DatabasePath, "INSERT INTO schema_version (version, applied_at) VALUES (99, 0);");

        var error = await Assert.ThrowsAsync<SchemaTooNewException>(() => SqliteStore.OpenAsync(_directory.Path, Ct));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_RelativePath_ResolvesAgainstTheCurrentDirectory()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, _directory.Path);
        Assert.False(Path.IsPathRooted(relative));

        await using SqliteStore store = await SqliteStore.OpenAsync(relative, Ct);

        Assert.Equal(DatabasePath, store.DatabasePath);
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task AppendAsync_MoneyAndDurations_AreStoredAsIntegers()
    {
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.AppendAsync(
                new LedgerEntry(At, Chat, "telegram:42", "whisper-1", LedgerKind.Transcription, 0, 0, 0, 61.2345m, MicroUsd.FromDollars(0.006123m), true, "2026-11-28"),
                Ct);
        }

        Assert.Equal(
            ["integer", "integer", "integer", 6123L, 61235L, At.ToUnixTimeMilliseconds(), "Transcription", "telegram", 1L],
            Query(DatabasePath, "SELECT typeof(cost_micro_usd), typeof(audio_ms), typeof(at), cost_micro_usd, audio_ms, at, kind, platform, estimated FROM ledger;"));
    }

    [Fact]
    public async Task AppendTurnsAsync_Role_IsStoredByName()
    {
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.AppendTurnsAsync(
                Chat,
                [
                    new StoredTurn(1, TurnRole.User, "telegram:42", "Ann", "q", 3, "o200k_base", At),
                    new StoredTurn(2, TurnRole.Assistant, null, null, "a", 3, "o200k_base", At),
                ],
                Ct);
        }

        Assert.Equal(["User", "Assistant"], Query(DatabasePath, "SELECT role FROM turns ORDER BY sequence;"));
    }

    [Fact]
    public async Task DisposeAsync_AfterWrites_FoldsTheWalIntoTheDatabaseFile()
    {
        SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct);
        for (int i = 1; i <= 50; i++)
        {
            await store.SetAsync($"key:{i}", new string('x', 1000), Ct);
        }

        Assert.True(new FileInfo(DatabasePath + "-wal").Length > 0);

        await store.DisposeAsync();

        Assert.False(File.Exists(DatabasePath + "-wal") && new FileInfo(DatabasePath + "-wal").Length > 0);
        Assert.Equal([50L], Query(DatabasePath, "SELECT COUNT(*) FROM kv;"));
    }

    [Fact]
    public async Task Operations_AfterDispose_ThrowObjectDisposedException()
    {
        SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct);
        await store.DisposeAsync();
        await store.DisposeAsync(); // closing twice is harmless

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.SetAsync("k", "v", Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("k", Ct));
    }

    [Fact]
    public async Task AppendTurnsAsync_CancelledToken_StoresNothing()
    {
        await using SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.AppendTurnsAsync(Chat, [new StoredTurn(1, TurnRole.User, null, null, "q", 3, "o200k_base", At)], cancelled.Token));

        Assert.Empty((await store.LoadAsync(Chat, Ct)).Turns);
    }

    [Fact]
    public async Task SetSettingsAsync_WritesSettingsJsonAndReadsBackWhatANewerBuildAdded()
    {
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.SetSettingsAsync(Chat, new ConversationSettings(ContextTokenCap: 8_000, CostFooter: true), Ct);
        }

        Assert.Equal(["{\"contextTokenCap\":8000,\"costFooter\":true}"], Query(DatabasePath, "SELECT settings_json FROM conversations WHERE key = 'telegram:42';"));

        // A later build may store more; this one keeps reading what it knows.
        Execute(DatabasePath, "UPDATE conversations SET settings_json = '{\"costFooter\":false,\"language\":\"zh\"}' WHERE key = 'telegram:42';");
        await using SqliteStore reopened = await SqliteStore.OpenAsync(_directory.Path, Ct);
        Assert.Equal(new ConversationSettings(CostFooter: false), (await reopened.LoadAsync(Chat, Ct)).Settings);

        // Clearing the settings of a conversation without history leaves no row behind.
        await reopened.SetSettingsAsync(Chat, ConversationSettings.Default, Ct);
        Assert.Equal([0L], Query(DatabasePath, "SELECT COUNT(*) FROM conversations;"));
    }

    [Theory]
    [InlineData("{\"contextTokenCap\":8000,")]
    [InlineData("not json at all")]
    [InlineData("[1, 2]")]
    public async Task LoadAsync_SettingsJsonUnreadable_DefaultsAndAWarningAndTheConversationStaysUsable(string corrupt)
    {
        var logger = new FakeLogger();
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.AppendTurnsAsync(Chat, [new StoredTurn(1, TurnRole.User, "telegram:42", "Ann", "hi", 5, "o200k_base", At)], Ct);
            await store.SetSettingsAsync(Chat, new ConversationSettings(CostFooter: true), Ct);
        }

        Execute(DatabasePath, $"UPDATE conversations SET settings_json = '{corrupt}' WHERE key = 'telegram:42';");
        await using SqliteStore reopened = await SqliteStore.OpenAsync(_directory.Path, TimeProvider.System, logger, Ct);

        ConversationSnapshot snapshot = await reopened.LoadAsync(Chat, Ct);
        Assert.Equal(ConversationSettings.Default, snapshot.Settings);
        Assert.Equal("hi", Assert.Single(snapshot.Turns).Text);
        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 5004);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("telegram:42", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(corrupt, warning.Message, StringComparison.Ordinal);

        // /reset keeps a row with settings and /settings writes new ones: both work, and the new ones read back.
        await reopened.ResetAsync(Chat, Ct);
        await reopened.SetSettingsAsync(Chat, new ConversationSettings(ContextTokenCap: 4_000), Ct);
        Assert.Equal(new ConversationSettings(ContextTokenCap: 4_000), (await reopened.LoadAsync(Chat, Ct)).Settings);
    }

    [Theory]
    [InlineData(10, 1_024)]
    [InlineData(-5, 1_024)]
    [InlineData(2_000_000_000, 10_000_000)]
    public async Task LoadAsync_StoredCapOutsideTheAllowedRange_MovedToTheNearerBound(int stored, int expected)
    {
        var logger = new FakeLogger();
        await using (SqliteStore store = await SqliteStore.OpenAsync(_directory.Path, Ct))
        {
            await store.SetSettingsAsync(Chat, new ConversationSettings(ContextTokenCap: 8_000, CostFooter: false), Ct);
        }

        Execute(DatabasePath, $"UPDATE conversations SET settings_json = '{{\"contextTokenCap\":{stored},\"costFooter\":false}}' WHERE key = 'telegram:42';");
        await using SqliteStore reopened = await SqliteStore.OpenAsync(_directory.Path, TimeProvider.System, logger, Ct);

        Assert.Equal(new ConversationSettings(ContextTokenCap: expected, CostFooter: false), (await reopened.LoadAsync(Chat, Ct)).Settings);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 5005 && r.Level == LogLevel.Warning);
    }

    [Theory]
    [InlineData("a", new byte[] { (byte)'b' })]
    [InlineData("a%", new byte[] { (byte)'a', (byte)'&' })]
    [InlineData("\u007f", new byte[] { 0x80 })]
    [InlineData("é", new byte[] { 0xC3, 0xAA })]
    public void UpperBound_Prefix_IncrementsTheLastUtf8Byte(string prefix, byte[] expected)
    {
        Assert.Equal(expected, SqliteStore.UpperBound(prefix));
    }

    private static List<object> Query(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var values = new List<object>();
        while (reader.Read())
        {
            for (int i = 0; i < reader.FieldCount; i++)
            {
                values.Add(reader.GetValue(i));
            }
        }

        return values;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
