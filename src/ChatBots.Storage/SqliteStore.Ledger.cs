using System.Text;
using ChatBots.Engine.Costs;
using Microsoft.Data.Sqlite;

namespace ChatBots.Storage;

public sealed partial class SqliteStore
{
    private const string InsertLedgerSql =
        "INSERT INTO ledger (at, conversation_key, platform, user_id, model, kind, input_tokens, cached_input_tokens, " +
        "output_tokens, audio_ms, cost_micro_usd, estimated, price_version) VALUES ($at, $conversation, $platform, $user, " +
        "$model, $kind, $input, $cached, $output, $audio_ms, $cost, $estimated, $price_version);";

    // SUM over INTEGER columns stays INTEGER (and raises on overflow), so totals are exact.
    private const string TotalsColumns =
        "COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(output_tokens), 0), " +
        "COALESCE(SUM(audio_ms), 0), COALESCE(SUM(cost_micro_usd), 0), COALESCE(SUM(estimated), 0)";

    public Task AppendAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAsync(
            session =>
            {
                SqliteCommand insert = session.Command(InsertLedgerSql);
                Bind(insert, "$at", entry.At.ToUnixTimeMilliseconds());
                Bind(insert, "$conversation", entry.Conversation.ToString());
                Bind(insert, "$platform", PlatformName(entry.Conversation.Platform));
                Bind(insert, "$user", entry.UserId);
                Bind(insert, "$model", entry.Model);
                Bind(insert, "$kind", entry.Kind.ToString());
                Bind(insert, "$input", entry.InputTokens);
                Bind(insert, "$cached", entry.CachedInputTokens);
                Bind(insert, "$output", entry.OutputTokens);
                // Whole milliseconds, rounded up like costs so audio is never under-counted.
                Bind(insert, "$audio_ms", (long)decimal.Ceiling(entry.AudioSeconds * 1000m));
                Bind(insert, "$cost", entry.Cost.Value);
                Bind(insert, "$estimated", entry.Estimated ? 1L : 0L);
                Bind(insert, "$price_version", entry.PriceVersion);
                insert.ExecuteNonQuery();
                return true;
            },
            cancellationToken);
    }

    public Task<UsageTotals> SumAsync(LedgerFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string sql = $"SELECT {TotalsColumns} FROM ledger{WhereClause(filter)};";
        return ReadAsync(
            session =>
            {
                SqliteCommand command = session.Command(sql);
                BindFilter(command, filter);
                using SqliteDataReader reader = command.ExecuteReader();
                reader.Read();
                return ReadTotals(reader, 0);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<UsageRow>> GroupAsync(UsageGrouping grouping, LedgerFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string groupExpression = grouping switch
        {
            UsageGrouping.Day => "strftime('%Y-%m-%d', at / 1000, 'unixepoch')",
            UsageGrouping.Model => "model",
            UsageGrouping.Platform => "platform",
            UsageGrouping.Conversation => "conversation_key",
            _ => throw new ArgumentOutOfRangeException(nameof(grouping), grouping, "Unknown usage grouping."),
        };
        string sql = $"SELECT {groupExpression} AS grp, {TotalsColumns} FROM ledger{WhereClause(filter)} GROUP BY grp ORDER BY grp;";
        return ReadAsync<IReadOnlyList<UsageRow>>(
            session =>
            {
                SqliteCommand command = session.Command(sql);
                BindFilter(command, filter);
                var rows = new List<UsageRow>();
                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add(new UsageRow(reader.GetString(0), ReadTotals(reader, 1)));
                }

                return rows;
            },
            cancellationToken);
    }

    /// <summary>
    /// Only the filters present, so SQLite can pick the matching index; at most 16 distinct texts, each prepared
    /// once per connection.
    /// </summary>
    private static string WhereClause(LedgerFilter filter)
    {
        var conditions = new List<string>(4);
        if (filter.From is not null)
        {
            conditions.Add("at >= $from");
        }

        if (filter.To is not null)
        {
            conditions.Add("at < $to");
        }

        if (filter.UserId is not null)
        {
            conditions.Add("user_id = $user");
        }

        if (filter.Conversation is not null)
        {
            conditions.Add("conversation_key = $conversation");
        }

        return conditions.Count == 0 ? "" : new StringBuilder(" WHERE ").AppendJoin(" AND ", conditions).ToString();
    }

    private static void BindFilter(SqliteCommand command, LedgerFilter filter)
    {
        if (filter.From is { } from)
        {
            Bind(command, "$from", from.ToUnixTimeMilliseconds());
        }

        if (filter.To is { } to)
        {
            Bind(command, "$to", to.ToUnixTimeMilliseconds());
        }

        if (filter.UserId is not null)
        {
            Bind(command, "$user", filter.UserId);
        }

        if (filter.Conversation is { } conversation)
        {
            Bind(command, "$conversation", conversation.ToString());
        }
    }

    private static UsageTotals ReadTotals(SqliteDataReader reader, int first) => new(
        Calls: reader.GetInt64(first),
        InputTokens: reader.GetInt64(first + 1),
        CachedInputTokens: reader.GetInt64(first + 2),
        OutputTokens: reader.GetInt64(first + 3),
        AudioSeconds: reader.GetInt64(first + 4) / 1000m,
        Cost: new MicroUsd(reader.GetInt64(first + 5)),
        EstimatedCalls: reader.GetInt64(first + 6));
}
