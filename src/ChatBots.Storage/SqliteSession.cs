using Microsoft.Data.Sqlite;

namespace ChatBots.Storage;

/// <summary>
/// One open connection and the commands prepared on it. SQLite prepares a command's statements on first use and
/// keeps them while the command lives, so caching commands by SQL text saves re-parsing on every call.
/// Used by one operation at a time.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Opens a connection with the per-connection settings (journal mode is stored in the file itself).</summary>
    public static SqliteSession Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        var session = new SqliteSession(connection);
        try
        {
            connection.Open();
            // NORMAL is durable across application crashes in WAL mode and only fsyncs on checkpoint.
            // busy_timeout makes SQLite itself wait for a lock held by another process (the CLI, a backup).
            session.Execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;");
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The cached command for <paramref name="sql"/>, with its parameters cleared and its transaction set.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!_commands.TryGetValue(sql, out SqliteCommand? command))
        {
            command = Connection.CreateCommand();
#pragma warning disable CA2100 // Every SQL text comes from this assembly's constants; values are always parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Runs SQL once without caching it (pragmas, migrations).</summary>
    public int Execute(string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = Connection.CreateCommand();
#pragma warning disable CA2100 // Constant SQL from this assembly.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (SqliteCommand command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
