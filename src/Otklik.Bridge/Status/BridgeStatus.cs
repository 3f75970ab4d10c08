using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Otklik.Bridge.Status;

public sealed record InputStatus(string Name, long Presses, string? LastPressAt, string? Status, string? StatusAt);

/// <summary>What the agent is doing, read from its queue database (works whether or not the agent runs).</summary>
public sealed record BridgeStatus(
    string QueueFile,
    long QueueLength,
    string? OldestQueuedAt,
    long Rejected,
    string? LastSuccessAt,
    string? LastError,
    string? LastErrorAt,
    long? ClockOffsetMs,
    IReadOnlyList<InputStatus> Inputs)
{
    public static class Keys
    {
        public const string LastSuccessAt = "last_success_at";
        public const string LastError = "last_error";
        public const string LastErrorAt = "last_error_at";
        public const string ClockOffsetMs = "clock_offset_ms";
    }

    internal static BridgeStatus Read(SqliteConnection db, string file)
    {
        long Scalar(string sql) => Convert.ToInt64(Command(db, sql).ExecuteScalar(), CultureInfo.InvariantCulture);

        var state = new Dictionary<string, string?>();
        using (var reader = Command(db, "SELECT key, value FROM state").ExecuteReader())
        {
            while (reader.Read())
            {
                state[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }
        var inputs = new List<InputStatus>();
        using (var reader = Command(db, "SELECT name, presses, last_press_at, status, status_at FROM inputs ORDER BY name").ExecuteReader())
        {
            while (reader.Read())
            {
                inputs.Add(new InputStatus(reader.GetString(0), reader.GetInt64(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }
        long? offset = state.GetValueOrDefault(Keys.ClockOffsetMs) is { } o && long.TryParse(o, CultureInfo.InvariantCulture, out var v) ? v : null;
        return new BridgeStatus(
            file,
            Scalar("SELECT COUNT(*) FROM presses"),
            Command(db, "SELECT at FROM presses ORDER BY seq LIMIT 1").ExecuteScalar() as string,
            Scalar("SELECT COUNT(*) FROM rejected"),
            state.GetValueOrDefault(Keys.LastSuccessAt),
            state.GetValueOrDefault(Keys.LastError),
            state.GetValueOrDefault(Keys.LastErrorAt),
            offset,
            inputs);
    }

    /// <summary>Reads the status straight from a queue file, for <c>otklik-bridge status</c>.</summary>
    public static BridgeStatus? ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using (var busy = Command(db, "PRAGMA busy_timeout=5000"))
        {
            busy.ExecuteNonQuery();
        }
        return Read(db, path);
    }

    public string ToText()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"queue file:           {QueueFile}");
        sb.AppendLine(c, $"queue length:         {QueueLength}{(OldestQueuedAt is null ? "" : $" (oldest press {OldestQueuedAt})")}");
        sb.AppendLine(c, $"rejected by server:   {Rejected}");
        sb.AppendLine(c, $"last successful send: {LastSuccessAt ?? "never"}");
        sb.AppendLine(c, $"last error:           {(LastError is null ? "none" : $"{LastError} (at {LastErrorAt})")}");
        sb.AppendLine(c, $"clock offset:         {(ClockOffsetMs is { } ms ? $"{ms:+0;-0;0} ms (server minus this PC)" : "not measured yet")}");
        sb.AppendLine("inputs:");
        if (Inputs.Count == 0)
        {
            sb.AppendLine("  (none seen yet)");
        }
        foreach (var input in Inputs)
        {
            sb.AppendLine(c, $"  {input.Name}: {input.Presses} press(es), last {input.LastPressAt ?? "never"}; {input.Status ?? "no status"}{(input.StatusAt is null ? "" : $" since {input.StatusAt}")}");
        }
        return sb.ToString();
    }

    private static SqliteCommand Command(SqliteConnection db, string sql)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }
}
