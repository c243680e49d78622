using ChatBots.Engine.Conversations;
using ChatBots.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace ChatBots.Storage;

public sealed partial class SqliteStore
{
    private const string SelectSummarySql =
        "SELECT summary_text, summary_token_count, summary_encoding, summary_through_sequence, settings_json FROM conversations WHERE key = $key;";

    private const string StoreSettingsSql =
        "INSERT INTO conversations (key, platform, settings_json, updated_at) VALUES ($key, $platform, $settings, $now) " +
        "ON CONFLICT (key) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at;";

    // Clearing the settings of a conversation without history leaves nothing worth a row.
    private const string DropEmptyConversationSql =
        "DELETE FROM conversations WHERE key = $key AND settings_json IS NULL AND summary_text IS NULL " +
        "AND NOT EXISTS (SELECT 1 FROM turns WHERE conversation_key = $key);";

    private const string SelectTurnsSql =
        "SELECT sequence, role, author_id, author_name, text, token_count, encoding, at, source_message_id FROM turns WHERE conversation_key = $key ORDER BY sequence;";

    private const string TouchConversationSql =
        "INSERT INTO conversations (key, platform, updated_at) VALUES ($key, $platform, $now) " +
        "ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at;";

    private const string InsertTurnSql =
        "INSERT INTO turns (conversation_key, sequence, role, author_id, author_name, text, token_count, encoding, at, source_message_id) " +
        "VALUES ($key, $sequence, $role, $author_id, $author_name, $text, $token_count, $encoding, $at, $source_message_id);";

    private const string StoreSummarySql =
        "INSERT INTO conversations (key, platform, summary_text, summary_token_count, summary_encoding, summary_through_sequence, updated_at) " +
        "VALUES ($key, $platform, $text, $token_count, $encoding, $through, $now) " +
        "ON CONFLICT (key) DO UPDATE SET summary_text = excluded.summary_text, summary_token_count = excluded.summary_token_count, " +
        "summary_encoding = excluded.summary_encoding, summary_through_sequence = excluded.summary_through_sequence, updated_at = excluded.updated_at;";

    private const string DeleteFoldedTurnsSql =
        "DELETE FROM turns WHERE conversation_key = $key AND sequence <= $through;";

    // A row that carries settings outlives a reset; one that only held history goes.
    private const string ResetSql =
        "DELETE FROM turns WHERE conversation_key = $key; " +
        "DELETE FROM conversations WHERE key = $key AND settings_json IS NULL; " +
        "UPDATE conversations SET summary_text = NULL, summary_token_count = NULL, summary_encoding = NULL, " +
        "summary_through_sequence = NULL, updated_at = $now WHERE key = $key;";

    private const string CountConversationsSql =
        "SELECT COUNT(*) FROM conversations AS c WHERE c.summary_text IS NOT NULL " +
        "OR EXISTS (SELECT 1 FROM turns AS t WHERE t.conversation_key = c.key);";

    public Task<ConversationSnapshot> LoadAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        string keyText = key.ToString();
        return ReadAsync(
            session =>
            {
                // One read transaction: the summary and the turns come from the same snapshot even while a summary
                // is being applied on the writer.
                using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: true);
                ConversationSummary? summary = null;
                ConversationSettings settings = ConversationSettings.Default;
                SqliteCommand selectSummary = session.Command(SelectSummarySql, transaction);
                Bind(selectSummary, "$key", keyText);
                using (SqliteDataReader reader = selectSummary.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        if (!reader.IsDBNull(0))
                        {
                            summary = new ConversationSummary(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt64(3));
                        }

                        settings = SettingsJson.Read(reader.IsDBNull(4) ? null : reader.GetString(4), keyText, _logger);
                    }
                }

                var turns = new List<StoredTurn>();
                SqliteCommand selectTurns = session.Command(SelectTurnsSql, transaction);
                Bind(selectTurns, "$key", keyText);
                using (SqliteDataReader reader = selectTurns.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        turns.Add(new StoredTurn(
                            reader.GetInt64(0),
                            Enum.Parse<TurnRole>(reader.GetString(1)),
                            reader.IsDBNull(2) ? null : reader.GetString(2),
                            reader.IsDBNull(3) ? null : reader.GetString(3),
                            reader.GetString(4),
                            reader.GetInt32(5),
                            reader.GetString(6),
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)))
                        {
                            SourceMessageId = reader.IsDBNull(8) ? null : reader.GetString(8),
                        });
                    }
                }

                transaction.Commit();
                ConversationSnapshot snapshot = summary is null && turns.Count == 0 ? ConversationSnapshot.Empty : new ConversationSnapshot(summary, turns);
                return settings.IsDefault ? snapshot : snapshot with { Settings = settings };
            },
            cancellationToken);
    }

    public Task AppendTurnsAsync(ConversationKey key, IReadOnlyList<StoredTurn> turns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 0)
        {
            return Task.CompletedTask;
        }

        string keyText = key.ToString();
        return WriteAsync(
            session =>
            {
                using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: false);
                SqliteCommand touch = session.Command(TouchConversationSql, transaction);
                Bind(touch, "$key", keyText);
                Bind(touch, "$platform", PlatformName(key.Platform));
                Bind(touch, "$now", NowUnixMs());
                touch.ExecuteNonQuery();

                SqliteCommand insert = session.Command(InsertTurnSql, transaction);
                foreach (StoredTurn turn in turns)
                {
                    insert.Parameters.Clear();
                    Bind(insert, "$key", keyText);
                    Bind(insert, "$sequence", turn.Sequence);
                    Bind(insert, "$role", turn.Role.ToString());
                    Bind(insert, "$author_id", turn.AuthorId);
                    Bind(insert, "$author_name", turn.AuthorName);
                    Bind(insert, "$text", turn.Text);
                    Bind(insert, "$token_count", turn.TokenCount);
                    Bind(insert, "$encoding", turn.Encoding);
                    Bind(insert, "$at", turn.At.ToUnixTimeMilliseconds());
                    Bind(insert, "$source_message_id", turn.SourceMessageId);
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                return true;
            },
            cancellationToken);
    }

    public Task ApplySummaryAsync(ConversationKey key, ConversationSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        string keyText = key.ToString();
        return WriteAsync(
            session =>
            {
                using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: false);
                SqliteCommand store = session.Command(StoreSummarySql, transaction);
                Bind(store, "$key", keyText);
                Bind(store, "$platform", PlatformName(key.Platform));
                Bind(store, "$text", summary.Text);
                Bind(store, "$token_count", summary.TokenCount);
                Bind(store, "$encoding", summary.Encoding);
                Bind(store, "$through", summary.ThroughSequence);
                Bind(store, "$now", NowUnixMs());
                store.ExecuteNonQuery();

                SqliteCommand delete = session.Command(DeleteFoldedTurnsSql, transaction);
                Bind(delete, "$key", keyText);
                Bind(delete, "$through", summary.ThroughSequence);
                delete.ExecuteNonQuery();

                transaction.Commit();
                return true;
            },
            cancellationToken);
    }

    public Task ResetAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        string keyText = key.ToString();
        return WriteAsync(
            session =>
            {
                using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: false);
                SqliteCommand reset = session.Command(ResetSql, transaction);
                Bind(reset, "$key", keyText);
                Bind(reset, "$now", NowUnixMs());
                reset.ExecuteNonQuery();
                transaction.Commit();
                return true;
            },
            cancellationToken);
    }

    public Task<long> CountConversationsAsync(CancellationToken cancellationToken) =>
        ReadAsync(
            session => (long)session.Command(CountConversationsSql).ExecuteScalar()!,
            cancellationToken);

    public Task SetSettingsAsync(ConversationKey key, ConversationSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string keyText = key.ToString();
        string? json = SettingsJson.Write(settings);
        return WriteAsync(
            session =>
            {
                using SqliteTransaction transaction = session.Connection.BeginTransaction(deferred: false);
                SqliteCommand store = session.Command(StoreSettingsSql, transaction);
                Bind(store, "$key", keyText);
                Bind(store, "$platform", PlatformName(key.Platform));
                Bind(store, "$settings", json);
                Bind(store, "$now", NowUnixMs());
                store.ExecuteNonQuery();

                if (json is null)
                {
                    SqliteCommand drop = session.Command(DropEmptyConversationSql, transaction);
                    Bind(drop, "$key", keyText);
                    drop.ExecuteNonQuery();
                }

                transaction.Commit();
                return true;
            },
            cancellationToken);
    }

    /// <summary>The platform as it appears in conversation keys and usage reports (<c>telegram</c>).</summary>
    private static string PlatformName(Platform platform) => platform.ToString().ToLowerInvariant();
}
