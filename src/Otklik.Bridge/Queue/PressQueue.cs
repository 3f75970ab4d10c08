using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Otklik.Bridge.Queue;

public sealed class QueueFullException(long length) : Exception($"The press queue holds {length} presses, its configured maximum; the press was refused.")
{
    public long Length { get; } = length;
}

/// <summary>
/// The on-disk store-and-forward queue: one SQLite file in WAL mode with synchronous=FULL, so a press
/// the queue has accepted survives a power cut. One connection, used under a lock.
/// </summary>
public sealed class PressQueue : IDisposable
{
    public const string FileName = "bridge-queue.db";

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly QueueOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _count;
    private long _nextWarnAt;

    private PressQueue(SqliteConnection db, QueueOptions options, ILogger logger, TimeProvider time)
    {
        _db = db;
        _options = options;
        _logger = logger;
        _time = time;
    }

    public string FilePath { get; private init; } = "";

    /// <summary>Presses waiting to be acknowledged by the server.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Gets a value each time presses are added; the sender waits on it.</summary>
    public ChannelReader<bool> Added => _signal.Reader;

    public static PressQueue Open(string dataDirectory, QueueOptions options, ILogger logger, TimeProvider time)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        Execute(db, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS presses(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                device TEXT NOT NULL,
                type TEXT NOT NULL,
                at TEXT NOT NULL,
                clock_offset_ms INTEGER,
                source TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS presses_device ON presses(device, seq);
            CREATE TABLE IF NOT EXISTS rejected(
                id TEXT PRIMARY KEY, device TEXT NOT NULL, type TEXT NOT NULL, at TEXT NOT NULL,
                reason TEXT NOT NULL, rejected_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS inputs(
                name TEXT PRIMARY KEY, presses INTEGER NOT NULL DEFAULT 0, last_press_at TEXT,
                status TEXT, status_at TEXT);
            """);
        var queue = new PressQueue(db, options, logger, time) { FilePath = path };
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM presses";
            queue._count = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        queue._nextWarnAt = options.WarnLength > 0 ? (queue._count / options.WarnLength + 1) * options.WarnLength : long.MaxValue;
        if (queue._count > 0)
        {
            queue._signal.Writer.TryWrite(true);
        }
        return queue;
    }

    /// <summary>
    /// Stores presses durably (committed and fsynced when this returns). A press whose id is already queued
    /// is skipped, so a retried hand-over from an input never doubles a press.
    /// </summary>
    /// <returns>How many presses were new.</returns>
    public async Task<int> EnqueueAsync(IReadOnlyList<Press> presses, CancellationToken cancellationToken = default)
    {
        if (presses.Count == 0)
        {
            return 0;
        }
        int added = 0;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_count + presses.Count > _options.MaxLength)
            {
                _logger.LogError("Press queue is full ({Count} of at most {Max}); refusing {New} new press(es). Is the server reachable?",
                    _count, _options.MaxLength, presses.Count);
                throw new QueueFullException(_count);
            }
            using var tx = _db.BeginTransaction();
            using var insert = _db.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO presses(id, device, type, at, clock_offset_ms, source)
                VALUES ($id, $device, $type, $at, $offset, $source) ON CONFLICT(id) DO NOTHING
                """;
            var pId = insert.Parameters.Add("$id", SqliteType.Text);
            var pDevice = insert.Parameters.Add("$device", SqliteType.Text);
            var pType = insert.Parameters.Add("$type", SqliteType.Text);
            var pAt = insert.Parameters.Add("$at", SqliteType.Text);
            var pOffset = insert.Parameters.Add("$offset", SqliteType.Integer);
            var pSource = insert.Parameters.Add("$source", SqliteType.Text);
            using var input = _db.CreateCommand();
            input.Transaction = tx;
            input.CommandText = """
                INSERT INTO inputs(name, presses, last_press_at) VALUES ($name, 1, $at)
                ON CONFLICT(name) DO UPDATE SET presses = presses + 1, last_press_at = excluded.last_press_at
                """;
            var iName = input.Parameters.Add("$name", SqliteType.Text);
            var iAt = input.Parameters.Add("$at", SqliteType.Text);
            foreach (var press in presses)
            {
                pId.Value = press.Id.ToString("D");
                pDevice.Value = press.Device;
                pType.Value = press.Type.ToWire();
                pAt.Value = press.At.ToString("o", CultureInfo.InvariantCulture);
                pOffset.Value = (object?)press.ClockOffsetMs ?? DBNull.Value;
                pSource.Value = press.Source;
                if (insert.ExecuteNonQuery() == 1)
                {
                    added++;
                    iName.Value = press.Source;
                    iAt.Value = pAt.Value;
                    input.ExecuteNonQuery();
                }
            }
            tx.Commit();
            Interlocked.Add(ref _count, added);
            if (_count >= _nextWarnAt)
            {
                _logger.LogWarning("Press queue has grown to {Count} presses waiting for the server (file {Path}); nothing is lost, but check the connection to Otklik.",
                    _count, FilePath);
                _nextWarnAt = (_count / _options.WarnLength + 1) * _options.WarnLength;
            }
        }
        finally
        {
            _gate.Release();
        }
        if (added > 0)
        {
            _signal.Writer.TryWrite(true);
        }
        return added;
    }

    /// <summary>Device names that have presses waiting, oldest first.</summary>
    public async Task<IReadOnlyList<string>> PendingDevicesAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT device FROM presses GROUP BY device ORDER BY MIN(seq)";
            using var reader = cmd.ExecuteReader();
            var list = new List<string>();
            while (reader.Read())
            {
                list.Add(reader.GetString(0));
            }
            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The oldest presses of one device, without removing them.</summary>
    public async Task<IReadOnlyList<Press>> PeekAsync(string device, int max, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, device, type, at, clock_offset_ms, source FROM presses WHERE device = $device ORDER BY seq LIMIT $max";
            cmd.Parameters.AddWithValue("$device", device);
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var list = new List<Press>();
            while (reader.Read())
            {
                PressTypes.TryParse(reader.GetString(2), out var type);
                list.Add(new Press(
                    Guid.Parse(reader.GetString(0)),
                    reader.GetString(1),
                    type,
                    DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    reader.GetString(5),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4)));
            }
            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> CountAsync(string device, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM presses WHERE device = $device";
            cmd.Parameters.AddWithValue("$device", device);
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes presses the server has acknowledged.</summary>
    public async Task DeleteAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM presses WHERE id = $id";
            var p = cmd.Parameters.Add("$id", SqliteType.Text);
            int removed = 0;
            foreach (var id in ids)
            {
                p.Value = id.ToString("D");
                removed += cmd.ExecuteNonQuery();
            }
            tx.Commit();
            Interlocked.Add(ref _count, -removed);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Moves a press the server refuses as malformed out of the queue, keeping it for inspection.</summary>
    public async Task RejectAsync(Press press, string reason, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT OR REPLACE INTO rejected(id, device, type, at, reason, rejected_at) VALUES ($id, $device, $type, $at, $reason, $now);
                DELETE FROM presses WHERE id = $id;
                """;
            cmd.Parameters.AddWithValue("$id", press.Id.ToString("D"));
            cmd.Parameters.AddWithValue("$device", press.Device);
            cmd.Parameters.AddWithValue("$type", press.Type.ToWire());
            cmd.Parameters.AddWithValue("$at", press.At.ToString("o", CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("$reason", reason);
            cmd.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
            tx.Commit();
            Interlocked.Exchange(ref _count, CountUnlocked());
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetStateAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO state(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$key", key);
            cmd.Parameters.AddWithValue("$value", (object?)value ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string?> GetStateAsync(string key, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT value FROM state WHERE key = $key";
            cmd.Parameters.AddWithValue("$key", key);
            return cmd.ExecuteScalar() as string;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records what an input is doing ("open", "error: …") for the status command.</summary>
    public async Task SetInputStatusAsync(string input, string status, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO inputs(name, presses, status, status_at) VALUES ($name, 0, $status, $at)
                ON CONFLICT(name) DO UPDATE SET status = excluded.status, status_at = excluded.status_at
                """;
            cmd.Parameters.AddWithValue("$name", input);
            cmd.Parameters.AddWithValue("$status", status);
            cmd.Parameters.AddWithValue("$at", _time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A snapshot for the status command and the local status page.</summary>
    public async Task<Status.BridgeStatus> ReadStatusAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Status.BridgeStatus.Read(_db, FilePath);
        }
        finally
        {
            _gate.Release();
        }
    }

    private long CountUnlocked()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM presses";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _db.Dispose();
        _gate.Dispose();
    }
}
