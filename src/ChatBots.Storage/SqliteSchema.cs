using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ChatBots.Storage;

/// <summary>
/// The schema as an ordered list of migrations: script <c>i</c> takes the file from version <c>i</c> to <c>i + 1</c>.
/// Append new scripts; never edit a released one.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Tables are STRICT so a money or time column can never silently hold a REAL.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE conversations (
            key TEXT NOT NULL PRIMARY KEY,
            platform TEXT NOT NULL,
            summary_text TEXT NULL,
            summary_token_count INTEGER NULL,
            summary_encoding TEXT NULL,
            summary_through_sequence INTEGER NULL,
            settings_json TEXT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE turns (
            conversation_key TEXT NOT NULL REFERENCES conversations (key) ON DELETE CASCADE,
            sequence INTEGER NOT NULL,
            role TEXT NOT NULL,
            author_id TEXT NULL,
            author_name TEXT NULL,
            text TEXT NOT NULL,
            token_count INTEGER NOT NULL,
            encoding TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (conversation_key, sequence)
        ) STRICT;

        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            conversation_key TEXT NOT NULL,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            model TEXT NOT NULL,
            kind TEXT NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            audio_ms INTEGER NOT NULL,
            cost_micro_usd INTEGER NOT NULL,
            estimated INTEGER NOT NULL CHECK (estimated IN (0, 1)),
            price_version TEXT NOT NULL
        ) STRICT;

        CREATE INDEX ledger_by_user_at ON ledger (user_id, at);
        CREATE INDEX ledger_by_conversation_at ON ledger (conversation_key, at);
        CREATE INDEX ledger_by_at ON ledger (at);

        CREATE TABLE kv (
            key TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        """,
        """
        ALTER TABLE turns ADD COLUMN source_message_id TEXT NULL;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>The script that takes a file from <paramref name="version"/> to the next (tests build old files with it).</summary>
    internal static string MigrationFrom(int version) => Migrations[version];

    /// <summary>
    /// Brings the file to <see cref="CurrentVersion"/> and returns it. A file already there is only read: the check is
    /// one lookup in <c>sqlite_master</c> and one in <c>schema_version</c>, never a scan of the data.
    /// </summary>
    public static int Migrate(SqliteSession session, string path, TimeProvider time, ILogger logger)
    {
        int version = ReadVersion(session, transaction: null);
        ThrowIfNewer(version, path);
        while (version < CurrentVersion)
        {
            // IMMEDIATE takes the write lock first, so two processes opening a new file cannot both migrate it.
            using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: false);
            session.Execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;",
                transaction);
            version = ReadVersion(session, transaction);
            ThrowIfNewer(version, path);
            if (version >= CurrentVersion)
            {
                transaction.Commit();
                break;
            }

            session.Execute(Migrations[version], transaction);
            version++;
            using (SqliteCommand record = session.Connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $at);";
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$at", time.GetUtcNow().ToUnixTimeMilliseconds());
                record.ExecuteNonQuery();
            }

            transaction.Commit();
            SqliteStoreLog.Migrated(logger, version, path);
        }

        return version;
    }

    private static int ReadVersion(SqliteSession session, SqliteTransaction? transaction)
    {
        using SqliteCommand command = session.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if (command.ExecuteScalar() is null)
        {
            return 0;
        }

        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void ThrowIfNewer(int version, string path)
    {
        if (version > CurrentVersion)
        {
            throw new SchemaTooNewException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path} has schema version {version}, newer than the {CurrentVersion} this build knows. Run a newer build or restore a backup."));
        }
    }
}
