using System.Text;
using Microsoft.Data.Sqlite;

namespace ChatBots.Storage;

public sealed partial class SqliteStore
{
    private const string GetValueSql = "SELECT value FROM kv WHERE key = $key;";

    private const string SetValueSql =
        "INSERT INTO kv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;";

    private const string AddValueSql = "INSERT INTO kv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING;";

    private const string DeleteValueSql = "DELETE FROM kv WHERE key = $key;";

    private const string ListAllSql = "SELECT key, value FROM kv ORDER BY key;";

    // A key range instead of LIKE: LIKE would read % and _ in the prefix as wildcards (and ignore ASCII case).
    private const string ListRangeSql =
        "SELECT key, value FROM kv WHERE key >= $prefix AND key < CAST($upper AS TEXT) ORDER BY key;";

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ReadAsync(
            session =>
            {
                SqliteCommand get = session.Command(GetValueSql);
                Bind(get, "$key", key);
                return (string?)get.ExecuteScalar();
            },
            cancellationToken);
    }

    public Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(session => ExecuteKeyValue(session, SetValueSql, key, value), cancellationToken);
    }

    public async Task<bool> TryAddAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        int inserted = await WriteAsync(session => ExecuteKeyValue(session, AddValueSql, key, value), cancellationToken);
        return inserted == 1;
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        int deleted = await WriteAsync(session => ExecuteKeyValue(session, DeleteValueSql, key, value: null), cancellationToken);
        return deleted > 0;
    }

    public Task<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        byte[]? upper = UpperBound(prefix);
        return ReadAsync<IReadOnlyList<KeyValuePair<string, string>>>(
            session =>
            {
                SqliteCommand list;
                if (upper is null)
                {
                    list = session.Command(ListAllSql);
                }
                else
                {
                    list = session.Command(ListRangeSql);
                    Bind(list, "$prefix", prefix);
                    Bind(list, "$upper", upper);
                }

                var entries = new List<KeyValuePair<string, string>>();
                using SqliteDataReader reader = list.ExecuteReader();
                while (reader.Read())
                {
                    entries.Add(new KeyValuePair<string, string>(reader.GetString(0), reader.GetString(1)));
                }

                return entries;
            },
            cancellationToken);
    }

    private static int ExecuteKeyValue(SqliteSession session, string sql, string key, string? value)
    {
        SqliteCommand command = session.Command(sql);
        Bind(command, "$key", key);
        if (value is not null)
        {
            Bind(command, "$value", value);
        }

        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// The smallest UTF-8 byte string above every key that starts with <paramref name="prefix"/>: the prefix with its
    /// last byte incremented. SQLite compares text byte by byte, and valid UTF-8 never contains 0xFF, so the last
    /// byte can always be incremented. Null for the empty prefix (no upper bound).
    /// </summary>
    internal static byte[]? UpperBound(string prefix)
    {
        if (prefix.Length == 0)
        {
            return null;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return bytes;
    }
}
