using System.Collections.Concurrent;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatBots.Storage;

/// <summary>
/// The engine's conversation, ledger and key-value stores in one SQLite file (<c>chatbots.db</c>, WAL mode).
/// </summary>
/// <remarks>
/// Writes go through one connection behind a <see cref="SemaphoreSlim"/>: SQLite allows one writer at a time anyway,
/// and queueing in-process means concurrent conversations wait their turn instead of failing with SQLITE_BUSY.
/// Reads use a small set of extra connections, which WAL lets run beside the writer.
/// Every connection keeps its prepared commands for its lifetime.
/// </remarks>
public sealed partial class SqliteStore : IConversationStore, ILedgerStore, IKeyValueStore, IAsyncDisposable, IDisposable
{
    /// <summary>The name of the database file inside the data directory.</summary>
    public const string FileName = "chatbots.db";

    // Idle read connections kept open; more are opened under load and closed when they come back.
    private const int MaxIdleReaders = 8;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteSession _writer;
    private readonly ConcurrentBag<SqliteSession> _idleReaders = [];
    private int _disposed;

    private SqliteStore(string databasePath, string connectionString, SqliteSession writer, int schemaVersion, TimeProvider time, ILogger logger)
    {
        DatabasePath = databasePath;
        SchemaVersion = schemaVersion;
        _connectionString = connectionString;
        _writer = writer;
        _time = time;
        _logger = logger;
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The schema version of the open file.</summary>
    public int SchemaVersion { get; }

    /// <summary>Opens (creating or migrating when needed) <c>chatbots.db</c> in <paramref name="dataDirectory"/>.</summary>
    public static Task<SqliteStore> OpenAsync(string dataDirectory, CancellationToken cancellationToken) =>
        OpenAsync(dataDirectory, TimeProvider.System, NullLogger.Instance, cancellationToken);

    /// <inheritdoc cref="OpenAsync(string, CancellationToken)"/>
    public static Task<SqliteStore> OpenAsync(string dataDirectory, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Microsoft.Data.Sqlite does its I/O synchronously; opening is a few small reads.
        return Task.FromResult(Open(dataDirectory, timeProvider, logger));
    }

    internal static SqliteStore Open(string dataDirectory, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        string directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // The store keeps its own connections; pooling would keep files open after Dispose.
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement until this many seconds pass.
            DefaultTimeout = 30,
        }.ToString();

        SqliteSession writer = SqliteSession.Open(connectionString);
        try
        {
            // Persistent in the file: a no-op on every open after the first.
            writer.Execute("PRAGMA journal_mode = WAL;");
            int version = SqliteSchema.Migrate(writer, path, timeProvider, logger);
            SqliteStoreLog.Opened(logger, path, version);
            return new SqliteStore(path, connectionString, writer, version, timeProvider, logger);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _writeGate.Wait();
        try
        {
            Close();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Waiting for the gate lets a write in progress finish before the connection closes.
        await _writeGate.WaitAsync();
        try
        {
            Close();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        DrainIdleReaders();
        try
        {
            // Fold the WAL back into the database so the file on the volume is complete by itself.
            _writer.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }
        catch (SqliteException ex)
        {
            // Another process may still be reading; the WAL stays valid and is replayed on the next open.
            SqliteStoreLog.CheckpointFailed(_logger, DatabasePath, ex);
        }

        _writer.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private long NowUnixMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs <paramref name="work"/> on the writer connection, one writer at a time. The work itself is synchronous:
    /// Microsoft.Data.Sqlite does its I/O synchronously even behind its async methods, so only waiting for the gate
    /// is asynchronous.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            return work(_writer);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on an idle read connection, opening one when none is free.</summary>
    private Task<T> ReadAsync<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return Task.FromResult(Read(work));
        }
        catch (Exception ex)
        {
            // Reported through the task like any other async failure, not thrown from the call.
            return Task.FromException<T>(ex);
        }
    }

    private T Read<T>(Func<SqliteSession, T> work)
    {
        ThrowIfDisposed();
        SqliteSession session = _idleReaders.TryTake(out SqliteSession? idle) ? idle : SqliteSession.Open(_connectionString);
        bool reusable = false;
        try
        {
            T result = work(session);
            reusable = true;
            return result;
        }
        finally
        {
            ReturnReader(session, reusable);
        }
    }

    private void ReturnReader(SqliteSession session, bool reusable)
    {
        // A session whose operation failed is dropped rather than trusted again.
        if (!reusable || Volatile.Read(ref _disposed) != 0 || _idleReaders.Count >= MaxIdleReaders)
        {
            session.Dispose();
            return;
        }

        _idleReaders.Add(session);
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Close ran while this read was in flight.
            DrainIdleReaders();
        }
    }

    private void DrainIdleReaders()
    {
        while (_idleReaders.TryTake(out SqliteSession? session))
        {
            session.Dispose();
        }
    }

    private static void Bind(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
