using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Reports;

namespace Otklik.Web.Features.Rollups;

/// <summary>Rollup events of one organization (the core's events carry no tenant).</summary>
public readonly record struct TenantEvent(Guid OrganizationId, RollupEvent Event);

/// <summary>Adds events to the hourly rollups inside the caller's transaction.</summary>
public static class RollupStore
{
    public const string Table = "HourlyRollups";
    public const string DailyTable = "DailyRollups";
    public const string MonthlyTable = "MonthlyRollups";

    /// <summary>The table and time column of each tier (names used by the raw SQL here and in the rebuild).</summary>
    public static (string Table, string TimeColumn) Of(RollupTier tier) => tier switch
    {
        RollupTier.Hour => (Table, "HourStartUtc"),
        RollupTier.Day => (DailyTable, "DayStartUtc"),
        _ => (MonthlyTable, "MonthStartUtc"),
    };
    /// <summary>The count columns every tier shares (names used by the raw SQL here and in <see cref="RunningTotals"/>).</summary>
    internal static readonly string[] CountColumns =
        ["Green", "Red", "Suppressed", "Visitors", "Receipts", "Revenue", "Items", "SalesAttempts", "FeedbackPositive", "FeedbackNeutral", "FeedbackNegative"];
    private const int PostgresRowsPerStatement = 400;

    /// <summary>The event of a stored press: suppressed presses are counted apart, never as green or red.</summary>
    public static TenantEvent Of(ButtonPress p) => new(p.OrganizationId, new RollupEvent(p.LocationId, p.StaffMemberId, p.OccurredAt,
        p.Suppressed ? RollupEventKind.SuppressedPress : p.Type == PressType.Green ? RollupEventKind.GreenPress : RollupEventKind.RedPress));

    /// <summary>The event of stored feedback, under its channel; feedback has no employee.</summary>
    public static TenantEvent Of(Feedback.Feedback f) => new(f.OrganizationId, new RollupEvent(f.LocationId, null, f.CreatedAt,
        f.Sentiment switch
        {
            Feedback.Sentiment.Positive => RollupEventKind.FeedbackPositive,
            Feedback.Sentiment.Negative => RollupEventKind.FeedbackNegative,
            _ => RollupEventKind.FeedbackNeutral,
        }, Channel: f.Channel.ToString()));

    /// <summary>A counter's interval: its visitors in, at the interval's start (as the conversion report reads them).</summary>
    public static TenantEvent Of(Conversion.VisitorCount v) =>
        new(v.OrganizationId, new RollupEvent(v.LocationId, null, v.From, RollupEventKind.Visitor, Count: v.In));

    /// <summary>A POS receipt or interval total: its receipts, revenue and items, at its start, under its seller if known.</summary>
    public static TenantEvent Of(Conversion.PosSale s) =>
        new(s.OrganizationId, new RollupEvent(s.LocationId, s.StaffMemberId, s.From, RollupEventKind.Receipt, s.RevenueMinor / 100m, s.Items, Count: s.Receipts));

    public static TenantEvent Of(Conversion.SalesAttempt a) =>
        new(a.OrganizationId, new RollupEvent(a.LocationId, a.StaffMemberId, a.OccurredAt, RollupEventKind.SalesAttempt));

    /// <summary>
    /// Adds the events to their buckets with <c>INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x</c> (SQLite and PostgreSQL),
    /// so that writers on several nodes add rather than overwrite. Call inside the transaction that stores the events.
    /// </summary>
    public static async Task AddAsync(OtklikDb db, IEnumerable<TenantEvent> events, CancellationToken ct)
    {
        var buckets = new Dictionary<(Guid Org, BucketKey Key), BucketCounts>();
        foreach (var e in events) Count(buckets, e);
        await UpsertAsync(db, Rows(buckets), ct);
    }

    /// <summary>Takes stored events back out of their buckets, e.g. when an import is undone. Call inside the transaction that deletes them.</summary>
    public static async Task SubtractAsync(OtklikDb db, IEnumerable<TenantEvent> events, CancellationToken ct)
    {
        var buckets = new Dictionary<(Guid Org, BucketKey Key), BucketCounts>();
        foreach (var e in events) Count(buckets, e);
        await UpsertAsync(db, buckets.Select(kv => (kv.Key.Org, new HourlyBucket(kv.Key.Key, kv.Value.Negate()))), ct);
    }

    /// <summary>Adds one event to in-memory buckets (the core's definition of what each kind counts).</summary>
    public static void Count(Dictionary<(Guid Org, BucketKey Key), BucketCounts> buckets, TenantEvent e)
    {
        var key = (e.OrganizationId, BucketKey.Of(e.Event));
        var counts = BucketCounts.Of(e.Event);
        buckets[key] = buckets.TryGetValue(key, out var c) ? c.Merge(counts) : counts;
    }

    public static IEnumerable<(Guid Org, HourlyBucket Bucket)> Rows(Dictionary<(Guid Org, BucketKey Key), BucketCounts> buckets) =>
        buckets.Select(kv => (kv.Key.Org, new HourlyBucket(kv.Key.Key, kv.Value)));

    /// <summary>
    /// Adds whole hourly buckets (e.g. from a rebuild, or a conversion import) to the hourly table and their local days and
    /// months to the coarser tiers, and the days to the running totals. The hourly upsert goes first: a change of a location's
    /// time zone locks the tables (<see cref="RollupRebuilder.RetierAsync"/>), so the zones read after it are the committed ones.
    /// </summary>
    public static async Task UpsertAsync(OtklikDb db, IEnumerable<(Guid Org, HourlyBucket Bucket)> buckets, CancellationToken ct)
    {
        var list = buckets as IReadOnlyCollection<(Guid Org, HourlyBucket Bucket)> ?? buckets.ToList();
        if (list.Count == 0) return;
        await UpsertAsync(db, RollupTier.Hour, list, ct);
        var zones = await ZonesAsync(db, list.Select(b => b.Bucket.Key.LocationId), ct);
        TimeZoneInfo ZoneOf(Guid location) => zones.GetValueOrDefault(location) ?? TimeZoneInfo.Utc;
        var days = ToTier(RollupTier.Day, list, ZoneOf).ToList();
        await UpsertAsync(db, RollupTier.Day, days, ct);
        await UpsertAsync(db, RollupTier.Month, ToTier(RollupTier.Month, list, ZoneOf), ct);
        await RunningTotals.AddAsync(db, days, ct);
    }

    /// <summary>The time zone of each location (UTC for an unknown one), whatever the context's tenant: rollups are written for the events' own organizations.</summary>
    public static async Task<Dictionary<Guid, TimeZoneInfo>> ZonesAsync(OtklikDb db, IEnumerable<Guid> locationIds, CancellationToken ct)
    {
        var ids = locationIds.Distinct().ToList();
        var rows = await db.Locations.IgnoreQueryFilters().AsNoTracking().Where(l => EF.Parameter(ids).Contains(l.Id)).Select(l => new { l.Id, l.TimeZone }).ToListAsync(ct);
        return rows.ToDictionary(l => l.Id, l => ButtonStats.Zone(l.TimeZone));
    }

    /// <summary>Buckets summed per organization and span of a tier in each location's zone (keys carry the span's first hour).</summary>
    public static IEnumerable<(Guid Org, HourlyBucket Bucket)> ToTier(RollupTier tier, IEnumerable<(Guid Org, HourlyBucket Bucket)> buckets, Func<Guid, TimeZoneInfo> zoneOf) =>
        buckets.GroupBy(b => (b.Org, Zone: zoneOf(b.Bucket.Key.LocationId)))
            .SelectMany(g => Rollup.ToTier(tier, g.Select(b => b.Bucket), g.Key.Zone).Select(d => (g.Key.Org, d)));

    /// <summary>Adds buckets to one tier: its time column takes each key's <see cref="BucketKey.HourStartUtc"/>, already the span's start.</summary>
    public static async Task UpsertAsync(OtklikDb db, RollupTier tier, IEnumerable<(Guid Org, HourlyBucket Bucket)> buckets, CancellationToken ct)
    {
        var (table, timeColumn) = Of(tier);
        string[] keyColumns = ["OrganizationId", "LocationId", timeColumn, "StaffKey", "Channel"];
        if (db.Database.IsSqlite())
        {
            await SqliteUpsertAsync(db, table, keyColumns, buckets, ct);
            return;
        }

        foreach (var chunk in buckets.Chunk(PostgresRowsPerStatement))
        {
            var values = new List<object>(chunk.Length * (keyColumns.Length + CountColumns.Length));
            foreach (var (org, (key, c)) in chunk)
                values.AddRange([org, key.LocationId, key.HourStartUtc.ToUniversalTime(), key.StaffId ?? Guid.Empty, key.Channel ?? "",
                    c.Green, c.Red, c.Suppressed, c.Visitors, c.Receipts, c.Revenue, c.Items, c.SalesAttempts, c.FeedbackPositive, c.FeedbackNeutral, c.FeedbackNegative]);
            await db.Database.ExecuteSqlRawAsync(UpsertSql(table, keyColumns, chunk.Length, i => $"{{{i}}}"), values, ct);
        }
    }

    /// <summary>
    /// SQLite: one prepared single-row upsert executed per bucket. Microsoft.Data.Sqlite finds each parameter by a linear search
    /// of the command's parameters, so a multi-row statement costs the square of its parameter count (400 rows, 6 400
    /// parameters: ~135 ms); a prepared statement rebinds 16 parameters per row and runs in the same process.
    /// </summary>
    private static Task SqliteUpsertAsync(OtklikDb db, string table, string[] keyColumns, IEnumerable<(Guid Org, HourlyBucket Bucket)> buckets, CancellationToken ct) =>
        WithCommandAsync(db, UpsertSql(table, keyColumns, 1, i => $"$p{i}"), async cmd =>
        {
            var parameters = new System.Data.Common.DbParameter[keyColumns.Length + CountColumns.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = cmd.CreateParameter();
                parameters[i].ParameterName = $"$p{i}";
                cmd.Parameters.Add(parameters[i]);
            }

            foreach (var (org, (key, c)) in buckets)
            {
                // EF's SQLite conventions: Guids as upper-case text, instants as UTC ticks, decimals as doubles.
                object[] row =
                [
                    Text(org), Text(key.LocationId), key.HourStartUtc.UtcTicks, Text(key.StaffId ?? Guid.Empty), key.Channel ?? "",
                    c.Green, c.Red, c.Suppressed, c.Visitors, c.Receipts, (double)c.Revenue, c.Items, c.SalesAttempts, c.FeedbackPositive, c.FeedbackNeutral, c.FeedbackNegative,
                ];
                for (var i = 0; i < row.Length; i++) parameters[i].Value = row[i];
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    /// <summary>EF's SQLite representation of a Guid: upper-case text.</summary>
    internal static string Text(Guid g) => g.ToString().ToUpperInvariant();

    /// <summary>
    /// A plain command on the context's connection, in its transaction (if any) and with its timeout, for the hot paths where
    /// EF's own commands cost too much; the connection is opened for the work and closed after if it was closed.
    /// </summary>
    internal static async Task WithCommandAsync(OtklikDb db, string sql, Func<System.Data.Common.DbCommand, Task> work, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var open = connection.State == System.Data.ConnectionState.Open;
        if (!open) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandTimeout = db.Database.GetCommandTimeout() ?? cmd.CommandTimeout;
            cmd.CommandText = sql;
            await work(cmd);
        }
        finally
        {
            if (!open) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary><c>INSERT … VALUES (…), … ON CONFLICT (keys) DO UPDATE SET count = count + excluded.count</c> for <paramref name="rows"/> rows.</summary>
    private static string UpsertSql(string table, string[] keyColumns, int rows, Func<int, string> placeholder)
    {
        var width = keyColumns.Length + CountColumns.Length;
        var sql = new StringBuilder($"INSERT INTO \"{table}\" (");
        sql.AppendJoin(", ", keyColumns.Concat(CountColumns).Select(c => $"\"{c}\"")).Append(") VALUES ");
        for (var r = 0; r < rows; r++)
            sql.Append(r == 0 ? "(" : ", (").AppendJoin(", ", Enumerable.Range(r * width, width).Select(placeholder)).Append(')');
        sql.Append(" ON CONFLICT (").AppendJoin(", ", keyColumns.Select(c => $"\"{c}\"")).Append(") DO UPDATE SET ");
        sql.AppendJoin(", ", CountColumns.Select(c => $"\"{c}\" = \"{table}\".\"{c}\" + excluded.\"{c}\""));
        return sql.ToString();
    }
}
