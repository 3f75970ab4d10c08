using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Rollups;
using Otklik.Web.Data;

namespace Otklik.Web.Features.Rollups;

/// <summary>
/// The running-totals tier (<see cref="RunningRollup"/>): what each location counted per channel through the end of each of its
/// days. The counts of any run of whole days are the totals before its end less the totals before its start, two rows per
/// location and channel however long the run; an owner's overview of a thousand locations reads a few thousand rows for a
/// month or a year alike. Maintained with the other tiers in the transaction that stores the events, rebuilt from the daily
/// tier.
/// </summary>
/// <remarks>
/// Invariant: a location has rows on exactly the days that have daily rows, and on each such day one row per channel that had
/// counted anything by the end of it. Adding a day's counts therefore copies the location's previous day forward to the new
/// day, makes sure the channel has a row on the new day and every later one, then adds to every row of the channel from that
/// day on. Unlike the other tiers this reads before it writes, so on PostgreSQL writers take one transaction-level advisory
/// lock for it (held to their commit; a rebuild holds the table lock instead). SQLite has one writer at a time anyway.
/// </remarks>
public static class RunningTotals
{
    public const string Table = "RunningRollups";
    private const string Keys = "\"OrganizationId\", \"LocationId\", \"DayStartUtc\", \"Channel\"";
    private const string ConflictKeys = "\"LocationId\", \"DayStartUtc\", \"Channel\", \"OrganizationId\"";
    /// <summary>The advisory lock of running-total writers on PostgreSQL ("OTKRUN").</summary>
    private const long PostgresLock = 0x4F544B52554E;
    /// <summary>Deltas per set of statements: the new-channel statement joins a chunk with itself.</summary>
    private const int DeltasPerStatement = 400;

    private static string[] Counts => RollupStore.CountColumns;

    /// <summary>
    /// Adds daily buckets (keys carry each local day's first hour; the employee is ignored) to the running totals. Call inside the
    /// transaction that stores the events, after the daily tier.
    /// </summary>
    public static async Task AddAsync(OtklikDb db, IEnumerable<(Guid Org, HourlyBucket Bucket)> days, CancellationToken ct)
    {
        var deltas = days.GroupBy(d => (d.Org, d.Bucket.Key.LocationId, Channel: d.Bucket.Key.Channel ?? "", Day: d.Bucket.Key.HourStartUtc))
            .Select(g => (g.Key.Org, g.Key.LocationId, g.Key.Channel, g.Key.Day, Counts: g.Aggregate(default(BucketCounts), (a, b) => a.Merge(b.Bucket.Counts))))
            .ToList();
        if (deltas.Count == 0) return;
        var postgres = db.Database.IsNpgsql();
        if (postgres) await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLock})", ct);
        // Late events change settled days that nodes may hold in memory: their organizations get a new stamp with the change.
        var time = db.RunningTotalsCache?.Time ?? TimeProvider.System;
        await RunningTotalsCache.BumpAsync(db, [.. deltas.Where(d => RunningTotalsCache.IsLate(d.Day, time)).Select(d => d.Org).Distinct()], ct);
        foreach (var chunk in deltas.Chunk(DeltasPerStatement))
        {
            // MATERIALIZED: the statements read the deltas several times (the new-channel one joins them with themselves); on SQLite
            // each read would otherwise parse the JSON again (half the maintenance time on the bench).
            var columns = new StringBuilder("WITH v (").Append(Keys).Append(", ").AppendJoin(", ", Counts.Select(Quote)).Append(") AS MATERIALIZED ");
            string with;
            var values = new List<object>();
            if (postgres)
            {
                // VALUES with one parameter per field (Npgsql binds them by position).
                columns.Append("(VALUES ");
                for (var i = 0; i < chunk.Length; i++)
                {
                    var (org, location, channel, day, c) = chunk[i];
                    columns.Append(i == 0 ? "(" : ", (").AppendJoin(", ", Enumerable.Range(values.Count, 4 + Counts.Length).Select(n => $"{{{n}}}")).Append(')');
                    values.AddRange([org, location, day.ToUniversalTime(), channel, c.Green, c.Red, c.Suppressed, c.Visitors, c.Receipts, c.Revenue, c.Items,
                        c.SalesAttempts, c.FeedbackPositive, c.FeedbackNeutral, c.FeedbackNegative]);
                }
                with = columns.Append(") ").ToString();
            }
            else
            {
                // SQLite: the chunk as one JSON parameter (Microsoft.Data.Sqlite finds each parameter by a linear search, so 15
                // parameters per delta would cost the square of their number), fields in EF's conventions: Guids as upper-case
                // text, instants as UTC ticks, decimals as doubles.
                columns.Append("(SELECT ").AppendJoin(", ", Enumerable.Range(0, 4 + Counts.Length).Select(n => $"value ->> {n}")).Append(" FROM json_each({0})) ");
                with = columns.ToString();
                values.Add(JsonSerializer.Serialize(chunk.Select(d => new object[]
                {
                    RollupStore.Text(d.Org), RollupStore.Text(d.LocationId), d.Day.UtcTicks, d.Channel, d.Counts.Green, d.Counts.Red, d.Counts.Suppressed, d.Counts.Visitors,
                    d.Counts.Receipts, (double)d.Counts.Revenue, d.Counts.Items, d.Counts.SalesAttempts, d.Counts.FeedbackPositive, d.Counts.FeedbackNeutral,
                    d.Counts.FeedbackNegative,
                })));
            }
            // The SQL is ours alone (table and column names, placeholders); every value is a parameter.
            foreach (var statement in new[] { CopyForwardSql, AddChannelSql, AddSql })
                await db.Database.ExecuteSqlRawAsync(string.Concat(with, statement), values, ct);
        }
    }

    /// <summary>Each new day of a location gets a copy of the location's rows of its previous day (none: nothing to copy).</summary>
    private static readonly string CopyForwardSql =
        $"INSERT INTO \"{Table}\" ({Keys}, {string.Join(", ", Counts.Select(Quote))}) " +
        $"SELECT r.\"OrganizationId\", r.\"LocationId\", n.\"DayStartUtc\", r.\"Channel\", {string.Join(", ", Counts.Select(c => "r." + Quote(c)))} " +
        "FROM (SELECT DISTINCT \"LocationId\", \"DayStartUtc\" FROM v) AS n CROSS JOIN \"" + Table + "\" AS r " +
        "WHERE r.\"LocationId\" = n.\"LocationId\" AND r.\"DayStartUtc\" = " +
        $"(SELECT p.\"DayStartUtc\" FROM \"{Table}\" AS p WHERE p.\"LocationId\" = n.\"LocationId\" AND p.\"DayStartUtc\" < n.\"DayStartUtc\" ORDER BY p.\"DayStartUtc\" DESC LIMIT 1) " +
        $"ON CONFLICT ({ConflictKeys}) DO NOTHING";

    /// <summary>
    /// The channel gets a row (of zeros, to be added to) on the delta's day and on each later day of the location that lacks one:
    /// the days it has and the days this statement's deltas give it. Runs after <see cref="CopyForwardSql"/>, whose copies win.
    /// </summary>
    private static readonly string AddChannelSql =
        $"INSERT INTO \"{Table}\" ({Keys}, {string.Join(", ", Counts.Select(Quote))}) " +
        $"SELECT u.\"OrganizationId\", u.\"LocationId\", u.\"DayStartUtc\", u.\"Channel\", {string.Join(", ", Counts.Select(_ => "0"))} FROM (" +
        "SELECT v.\"OrganizationId\", v.\"LocationId\", v.\"DayStartUtc\", v.\"Channel\" FROM v UNION " +
        "SELECT v.\"OrganizationId\", v.\"LocationId\", w.\"DayStartUtc\", v.\"Channel\" FROM v CROSS JOIN v AS w " +
        "WHERE w.\"LocationId\" = v.\"LocationId\" AND w.\"DayStartUtc\" > v.\"DayStartUtc\" UNION " +
        $"SELECT v.\"OrganizationId\", v.\"LocationId\", r.\"DayStartUtc\", v.\"Channel\" FROM v CROSS JOIN \"{Table}\" AS r " +
        "WHERE r.\"LocationId\" = v.\"LocationId\" AND r.\"DayStartUtc\" > v.\"DayStartUtc\") AS u " +
        $"WHERE true ON CONFLICT ({ConflictKeys}) DO NOTHING";

    /// <summary>Every row of the channel from the delta's day on adds the delta.</summary>
    private static readonly string AddSql =
        $"UPDATE \"{Table}\" AS t SET {string.Join(", ", Counts.Select(c => $"{Quote(c)} = t.{Quote(c)} + s.{Quote(c)}"))} " +
        $"FROM (SELECT r.\"LocationId\", r.\"DayStartUtc\", r.\"Channel\", {string.Join(", ", Counts.Select(c => $"SUM(v.{Quote(c)}) AS {Quote(c)}"))} " +
        $"FROM v CROSS JOIN \"{Table}\" AS r WHERE r.\"LocationId\" = v.\"LocationId\" AND r.\"Channel\" = v.\"Channel\" AND r.\"DayStartUtc\" >= v.\"DayStartUtc\" " +
        "GROUP BY r.\"LocationId\", r.\"DayStartUtc\", r.\"Channel\") AS s " +
        "WHERE t.\"LocationId\" = s.\"LocationId\" AND t.\"DayStartUtc\" = s.\"DayStartUtc\" AND t.\"Channel\" = s.\"Channel\"";

    /// <summary>
    /// The locations' running totals summed again from their daily rows (deleted first). Call inside a transaction that holds
    /// <see cref="RollupRebuilder.LockAsync"/> on PostgreSQL.
    /// </summary>
    public static async Task RebuildAsync(OtklikDb db, IReadOnlyCollection<Guid> locationIds, CancellationToken ct)
    {
        var ids = locationIds.ToList();
        if (ids.Count == 0) return;
        await RunningTotalsCache.BumpAsync(db, await db.Locations.IgnoreQueryFilters().Where(l => EF.Parameter(ids).Contains(l.Id))
            .Select(l => l.OrganizationId).Distinct().ToListAsync(ct), ct);
        await db.RunningRollups.Where(r => EF.Parameter(ids).Contains(r.LocationId)).ExecuteDeleteAsync(ct);
        var filter = InIds(db, "\"LocationId\"");
        var sum = string.Join(", ", Counts.Select(c => $"SUM({Quote(c)}) AS {Quote(c)}"));
        var sql =
            $"WITH d AS (SELECT \"OrganizationId\", \"LocationId\", \"Channel\", \"DayStartUtc\", {sum} FROM \"{RollupStore.DailyTable}\" WHERE {filter} " +
            "GROUP BY \"OrganizationId\", \"LocationId\", \"Channel\", \"DayStartUtc\"), " +
            "days AS (SELECT DISTINCT \"LocationId\", \"DayStartUtc\" FROM d), " +
            "channels AS (SELECT \"OrganizationId\", \"LocationId\", \"Channel\", MIN(\"DayStartUtc\") AS \"First\" FROM d GROUP BY \"OrganizationId\", \"LocationId\", \"Channel\") " +
            $"INSERT INTO \"{Table}\" ({Keys}, {string.Join(", ", Counts.Select(Quote))}) " +
            $"SELECT c.\"OrganizationId\", c.\"LocationId\", days.\"DayStartUtc\", c.\"Channel\", {string.Join(", ", Counts.Select(c => $"SUM(COALESCE(d.{Quote(c)}, 0)) OVER w"))} " +
            "FROM channels AS c JOIN days ON days.\"LocationId\" = c.\"LocationId\" AND days.\"DayStartUtc\" >= c.\"First\" " +
            "LEFT JOIN d ON d.\"LocationId\" = c.\"LocationId\" AND d.\"Channel\" = c.\"Channel\" AND d.\"DayStartUtc\" = days.\"DayStartUtc\" " +
            "WINDOW w AS (PARTITION BY c.\"LocationId\", c.\"Channel\" ORDER BY days.\"DayStartUtc\") " +
            // In day order, as live writes add them: one instant's rows of many locations then sit on few pages.
            "ORDER BY days.\"DayStartUtc\", c.\"LocationId\", c.\"Channel\"";
        await db.Database.ExecuteSqlRawAsync(sql, [IdsParameter(db, ids)], ct);
    }

    /// <summary>The channel of rows read summed over every channel of a location (<see cref="BeforeAsync"/> with <c>perChannel: false</c>).</summary>
    public const string AllChannels = "*";

    /// <summary>
    /// Each location's running totals before <paramref name="before"/> (a local day's first hour in <paramref name="zone"/>, the
    /// locations' time zone): the rows of its last day that starts earlier, per channel or summed over them
    /// (<see cref="AllChannels"/>), with the counts reports read (organization, day, revenue and items left default). A location
    /// with no such day has no rows (nothing counted yet).
    /// </summary>
    /// <remarks>
    /// Most locations of a live organization have a row on the very day before the instant, read as one range of the organization's
    /// day; only the others are looked up again for their last earlier day (two seeks each). Read with plain commands, not through EF: an
    /// overview of a thousand locations reads some four thousand rows several times, and materializing entities cost twice the
    /// query (20 against 10 ms on the bench's SQLite). A row read through the list names its location by its place in it, so
    /// no Guid is parsed back (a row of the organization's whole day carries its location id); summed rows leave the adding to
    /// the database (a quarter of the rows to read). The context's query filters are applied by hand: locations outside the
    /// tenant's location scope are dropped from the list, rows of another organization from the result.
    /// </remarks>
    /// <param name="everyLocation">
    /// The list holds every location the tenant sees: the organization's day is then read whole, without the list (PostgreSQL
    /// joined a thousand ids in 9 ms, read the day alone in 6), and rows of locations not listed (outside the tenant's location
    /// scope) are dropped as they come.
    /// </param>
    /// <param name="stamp">
    /// The organization's <see cref="RollupStamp"/>, read before: with it a settled day of the organization comes from this
    /// node's <see cref="RunningTotalsCache"/> when it holds one, and goes there when read.
    /// </param>
    public static async Task<List<RunningRollup>> BeforeAsync(OtklikDb db, IReadOnlyCollection<Guid> locationIds, DateTimeOffset before, TimeZoneInfo zone,
        bool perChannel, CancellationToken ct, bool everyLocation = false, long? stamp = null)
    {
        var tenant = db.Tenant;
        var ids = locationIds.Where(tenant.CanSeeLocation).ToList();
        var rows = new List<RunningRollup>();
        if (ids.Count == 0) return rows;
        var lastDay = Rollup.DayStart(Rollup.LocalDay(before.AddTicks(-1), zone), zone);
        if (everyLocation && !tenant.IsSystem)
        {
            var listed = ids.ToHashSet();
            foreach (var r in await OrganizationDayAsync(db, lastDay, perChannel, stamp, ct))
                if (listed.Contains(r.LocationId)) rows.Add(r);
        }
        else await ReadAsync(db, ids, lastDay, exactDay: true, perChannel, rows, ct);
        var found = rows.Select(r => r.LocationId).ToHashSet();
        var others = ids.Where(id => !found.Contains(id)).ToList();
        if (others.Count > 0) await ReadAsync(db, others, before, exactDay: false, perChannel, rows, ct);
        return rows;
    }

    /// <summary>
    /// The rows of each location on <paramref name="at"/> (<paramref name="exactDay"/>) or on its last day before it; adds them to
    /// <paramref name="rows"/>.
    /// </summary>
    private static Task ReadAsync(OtklikDb db, List<Guid> ids, DateTimeOffset at, bool exactDay, bool perChannel, List<RunningRollup> rows, CancellationToken ct)
    {
        var tenant = db.Tenant;
        var postgres = db.Database.IsNpgsql();
        var select = Columns(perChannel);
        // The location's day: the one asked for, or its last one before the instant ({0}: the location).
        var last = $"SELECT p.\"DayStartUtc\" FROM \"{Table}\" AS p WHERE p.\"LocationId\" = {{0}} AND p.\"DayStartUtc\" < @at ORDER BY p.\"DayStartUtc\" DESC LIMIT 1";
        // An organization's day (not the system context's, bound to none) is one range of the (organization, day, location)
        // index: a thousand locations' rows from neighbouring pages, not a seek each through the key (PostgreSQL: 650 pages read
        // instead of 4,300; SQLite: 1 ms instead of 7).
        var byOrganization = exactDay && !tenant.IsSystem;
        var tenantFilter = byOrganization ? "r.\"OrganizationId\" = @org" : "(@system OR r.\"OrganizationId\" = @org)";
        string Grouped(string location) => perChannel ? "" : $" GROUP BY {location}";
        var sql = postgres
            ? byOrganization
                ? $"SELECT l.n - 1, {select} FROM \"{Table}\" AS r JOIN unnest(@ids) WITH ORDINALITY AS l(id, n) ON r.\"LocationId\" = l.id " +
                  $"WHERE {tenantFilter} AND r.\"DayStartUtc\" = @at{Grouped("l.n")}"
                // The last day as a LATERAL join (as a subquery in the join condition it took ten times as long).
                : $"SELECT l.n - 1, {select} FROM unnest(@ids) WITH ORDINALITY AS l(id, n) " +
                  (exactDay ? "" : $"CROSS JOIN LATERAL ({string.Format(CultureInfo.InvariantCulture, last, "l.id")}) AS last ") +
                  $"JOIN \"{Table}\" AS r ON r.\"LocationId\" = l.id AND r.\"DayStartUtc\" = {(exactDay ? "@at" : "last.\"DayStartUtc\"")} " +
                  $"WHERE {tenantFilter}{Grouped("l.n")}"
            // SQLite: CROSS JOIN keeps the list of locations outermost, so each location costs one or two index seeks.
            : $"SELECT l.key, {select} FROM json_each(@ids) AS l CROSS JOIN \"{Table}\" AS r WHERE r.\"LocationId\" = l.value " +
              $"AND r.\"DayStartUtc\" = {(exactDay ? "@at" : $"({string.Format(CultureInfo.InvariantCulture, last, "l.value")})")} AND {tenantFilter}{Grouped("l.key")}";

        return RollupStore.WithCommandAsync(db, sql, async cmd =>
        {
            // EF's SQLite conventions: Guids as upper-case text, instants as UTC ticks.
            AddParameter(cmd, "@ids", IdsParameter(db, ids));
            AddParameter(cmd, "@at", postgres ? at.ToUniversalTime() : at.UtcTicks);
            AddParameter(cmd, "@org", postgres ? tenant.OrganizationId : RollupStore.Text(tenant.OrganizationId));
            if (!byOrganization) AddParameter(cmd, "@system", tenant.IsSystem);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(Row(reader, ids[(int)reader.GetInt64(0)]));
        }, ct);
    }

    /// <summary>
    /// Each listed location's counts of one channel per local day of [<paramref name="from"/>, <paramref name="to"/>) (day starts
    /// in <paramref name="zone"/>), as the differences of its running totals from day to day: the rows of the channel on the
    /// organization's days in the range and the day before, read in one index range, no sums in the database. Days without a
    /// row had nothing counted (no entry); a location without a row on the day before starts from its last earlier day. For a
    /// tenant bound to an organization; the days carry their first hour, as the daily tier's rows.
    /// </summary>
    /// <remarks>
    /// A thousand locations' daily green shares for a month (the overview's sparklines) summed ~60 000 rows of the daily tier
    /// per employee on PostgreSQL (~100 ms, half of it sorting for the GROUP BY); here 31 000 rows come in index order (23–37 ms
    /// warm in psql). Each zone group reads the organization's rows of its days and keeps its own locations.
    /// </remarks>
    public static async Task<List<(Guid LocationId, DateTimeOffset Day, BucketCounts Counts)>> DailyAsync(OtklikDb db, IReadOnlyCollection<Guid> locationIds,
        DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, string channel, CancellationToken ct, Reads? reads = null)
    {
        var tenant = db.Tenant;
        if (tenant.IsSystem) throw new InvalidOperationException("Daily running totals are read for an organization.");
        var listed = locationIds.Where(tenant.CanSeeLocation).ToHashSet();
        var days = new List<(Guid LocationId, DateTimeOffset Day, BucketCounts Counts)>();
        if (listed.Count == 0) return days;
        var postgres = db.Database.IsNpgsql();
        var dayBefore = Rollup.DayStart(Rollup.LocalDay(from.AddTicks(-1), zone), zone);
        // The zone's days of the read; its settled ones may be kept in memory (by the organization's stamp, read first).
        var starts = new List<DateTimeOffset>();
        for (var d = Rollup.LocalDay(dayBefore, zone); Rollup.DayStart(d, zone) is var start && start < to; d = d.AddDays(1)) starts.Add(start);
        var cache = db.RunningTotalsCache;
        var stamp = reads is null ? null : await reads.StampAsync(db, ct);
        var keep = stamp is not null && cache is not null;
        RunningTotalsCache.Key KeyOf(DateTimeOffset day) => RunningTotalsCache.KeyOf(db, stamp ?? 0, day, channel);
        var settled = keep ? starts.TakeWhile(cache!.IsSettled).Count() : 0;
        var rows = new List<(DateTimeOffset Day, RunningRollup Row)>();
        var kept = 0;
        while (kept < settled && cache!.TryGet(KeyOf(starts[kept]), out var known))
        {
            rows.AddRange(known.Select(r => (starts[kept], r)));
            kept++;
        }
        var readFrom = kept < starts.Count ? starts[kept] : to;
        if (readFrom < to)
        {
            var read = new List<(DateTimeOffset Day, RunningRollup Row)>();
            var sql = $"SELECT r.\"LocationId\", {Columns(perChannel: true)}, r.\"DayStartUtc\" FROM \"{Table}\" AS r " +
                      "WHERE r.\"OrganizationId\" = @org AND r.\"DayStartUtc\" >= @from AND r.\"DayStartUtc\" < @to AND r.\"Channel\" = @channel";
            await RollupStore.WithCommandAsync(db, sql, async cmd =>
            {
                AddParameter(cmd, "@org", postgres ? tenant.OrganizationId : RollupStore.Text(tenant.OrganizationId));
                AddParameter(cmd, "@from", postgres ? readFrom.ToUniversalTime() : readFrom.UtcTicks);
                AddParameter(cmd, "@to", postgres ? to.ToUniversalTime() : to.UtcTicks);
                AddParameter(cmd, "@channel", channel);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var day = postgres ? new DateTimeOffset(reader.GetFieldValue<DateTime>(11), TimeSpan.Zero) : new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero);
                    read.Add((day, Row(reader, reader.GetGuid(0))));
                }
            }, ct);
            // The settled days just read are kept whole (every location of the organization; an empty day too).
            if (kept < settled)
            {
                var byDay = read.ToLookup(r => r.Day, r => r.Row);
                for (var i = kept; i < settled; i++) cache!.Set(KeyOf(starts[i]), [.. byDay[starts[i]]]);
            }
            rows.AddRange(read);
        }
        var byLocation = new Dictionary<Guid, List<(DateTimeOffset Day, BucketCounts Counts)>>();
        foreach (var (day, row) in rows)
        {
            if (!listed.Contains(row.LocationId)) continue;
            if (!byLocation.TryGetValue(row.LocationId, out var list)) byLocation[row.LocationId] = list = [];
            list.Add((day, row.Counts));
        }
        // Where a location has no row on the day before, its totals before the range are those of its last earlier day.
        var unknown = byLocation.Where(kv => !kv.Value.Any(r => r.Day == dayBefore)).Select(kv => kv.Key).ToList();
        var first = unknown.Count == 0 ? [] : (await BeforeAsync(db, unknown, from, zone, perChannel: true, ct)).Where(r => r.Channel == channel)
            .ToDictionary(r => r.LocationId, r => r.Counts);
        foreach (var (location, list) in byLocation)
        {
            list.Sort((a, b) => a.Day.CompareTo(b.Day));
            var previous = first.GetValueOrDefault(location);
            foreach (var (day, counts) in list)
            {
                if (day >= from && counts != previous) days.Add((location, day, counts.Merge(previous.Negate())));
                previous = counts;
            }
        }
        return days;
    }

    /// <summary>
    /// Every row of the tenant's organization on <paramref name="day"/>, per channel or summed per location: from this node's
    /// cache when the day is settled and the caller read the organization's stamp, else from the database (and then kept).
    /// Rows of locations the tenant does not see are the caller's to drop.
    /// </summary>
    private static async Task<RunningRollup[]> OrganizationDayAsync(OtklikDb db, DateTimeOffset day, bool perChannel, long? stamp, CancellationToken ct)
    {
        var cache = db.RunningTotalsCache;
        var key = RunningTotalsCache.KeyOf(db, stamp ?? 0, day, perChannel ? null : AllChannels);
        var cacheable = stamp is not null && cache is not null && cache.IsSettled(day);
        if (cacheable && cache!.TryGet(key, out var known)) return known;
        var rows = await ReadDayAsync(db, day, perChannel, ct);
        if (cacheable) cache!.Set(key, rows);
        return rows;
    }

    /// <summary>The rows of the tenant's organization on <paramref name="at"/>, per channel or summed per location.</summary>
    private static async Task<RunningRollup[]> ReadDayAsync(OtklikDb db, DateTimeOffset at, bool perChannel, CancellationToken ct)
    {
        var postgres = db.Database.IsNpgsql();
        var rows = new List<RunningRollup>();
        var sql = $"SELECT r.\"LocationId\", {Columns(perChannel)} FROM \"{Table}\" AS r WHERE r.\"OrganizationId\" = @org AND r.\"DayStartUtc\" = @at" +
                  (perChannel ? "" : " GROUP BY r.\"LocationId\"");
        await RollupStore.WithCommandAsync(db, sql, async cmd =>
        {
            AddParameter(cmd, "@at", postgres ? at.ToUniversalTime() : at.UtcTicks);
            AddParameter(cmd, "@org", postgres ? db.Tenant.OrganizationId : RollupStore.Text(db.Tenant.OrganizationId));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            // SQLite's Guid text is parsed by the provider (Microsoft.Data.Sqlite reads text Guids too).
            while (await reader.ReadAsync(ct)) rows.Add(Row(reader, reader.GetGuid(0)));
        }, ct);
        return [.. rows];
    }

    /// <summary>The channel and <see cref="ReadCounts"/> of rows of <c>r</c>, or <see cref="AllChannels"/> and their sums.</summary>
    private static string Columns(bool perChannel) => perChannel
        ? "r.\"Channel\", " + string.Join(", ", ReadCounts.Select(c => $"r.{Quote(c)}"))
        : $"'{AllChannels}', " + string.Join(", ", ReadCounts.Select(c => $"SUM(r.{Quote(c)})"));

    /// <summary>The counts reports read, in the order <see cref="Row"/> takes them.</summary>
    private static readonly string[] ReadCounts = ["Green", "Red", "Suppressed", "Visitors", "Receipts", "SalesAttempts", "FeedbackPositive", "FeedbackNeutral", "FeedbackNegative"];

    /// <summary>A row read as location (column 0, read by the caller), channel and <see cref="ReadCounts"/>.</summary>
    private static RunningRollup Row(System.Data.Common.DbDataReader reader, Guid location) => new()
    {
        LocationId = location, Channel = reader.GetString(1), Green = reader.GetInt64(2), Red = reader.GetInt64(3),
        Suppressed = reader.GetInt64(4), Visitors = reader.GetInt64(5), Receipts = reader.GetInt64(6), SalesAttempts = reader.GetInt64(7),
        FeedbackPositive = reader.GetInt64(8), FeedbackNeutral = reader.GetInt64(9), FeedbackNegative = reader.GetInt64(10),
    };

    private static void AddParameter(System.Data.Common.DbCommand cmd, string name, object value)
    {
        var parameter = cmd.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        cmd.Parameters.Add(parameter);
    }

    /// <summary>
    /// <see cref="BeforeAsync"/> remembered for one report: its ranges share ends (a period ends where its last week ends, the
    /// last week starts where the week before it ends), so four ranges read six instants, not eight; an instant read per channel
    /// also answers the same instant summed (the rows per channel, which the caller adds up anyway). Also the count of the
    /// tenant's locations, by which a report tells whether it covers every one, and the first day counted, before which there is
    /// nothing to read.
    /// </summary>
    public sealed class Reads
    {
        private readonly Dictionary<(string Ids, DateTimeOffset Before, bool PerChannel), List<RunningRollup>> known = [];
        private int? locationCount;
        private (bool Known, DateTimeOffset? Day) firstDay;
        private long? stamp;

        /// <summary>How many locations the tenant sees, counted once for the report (each of its ranges asks).</summary>
        public async Task<int> LocationCountAsync(OtklikDb db, CancellationToken ct) => locationCount ??= await db.Locations.CountAsync(ct);

        /// <summary>
        /// The first day of the running totals of the tenant's organization (a lower bound for a manager's locations), null when
        /// there are none; the system context, bound to no organization, gets the earliest instant. Read once.
        /// </summary>
        /// <remarks>
        /// The organization is spelled out and the query filter left off: SQLite cannot simplify the filter's
        /// "@system OR organization = @tenant" with parameters and sorted all 1.5 million rows of the bench (100 ms); this is one
        /// seek on the (organization, day) index. Only a day comes back.
        /// </remarks>
        private async Task<DateTimeOffset?> FirstDayAsync(OtklikDb db, CancellationToken ct)
        {
            if (db.Tenant.IsSystem) return DateTimeOffset.MinValue;
            if (firstDay.Known) return firstDay.Day;
            var org = db.Tenant.OrganizationId;
            // A settled first day is kept with the organization's stamp (read first).
            var cache = db.RunningTotalsCache;
            var stamp = await StampAsync(db, ct);
            var database = db.Database.GetConnectionString() ?? "";
            if (stamp is { } s && cache!.TryGetFirstDay(database, org, s, out var kept)) return (firstDay = (true, kept)).Day;
            firstDay = (true, await db.RunningRollups.IgnoreQueryFilters().AsNoTracking().Where(r => r.OrganizationId == org)
                .OrderBy(r => r.DayStartUtc).Select(r => (DateTimeOffset?)r.DayStartUtc).FirstOrDefaultAsync(ct));
            if (stamp is { } read && firstDay.Day is { } day) cache!.SetFirstDay(database, org, read, day);
            return firstDay.Day;
        }

        /// <summary>
        /// The stamp of the tenant's organization (<see cref="RollupStamp"/>), which keys the settled days this node keeps; read
        /// once, before the report's first rows. Null when there is nothing to keep them in, no organization, or a transaction
        /// is open (rows read in it may be its own and never commit): nothing is kept without a stamp.
        /// </summary>
        public async Task<long?> StampAsync(OtklikDb db, CancellationToken ct)
        {
            if (db.RunningTotalsCache is null || db.Tenant.IsSystem || db.Database.CurrentTransaction is not null) return null;
            return stamp ??= await RunningTotalsCache.StampAsync(db, db.Tenant.OrganizationId, ct);
        }

        public async Task<List<RunningRollup>> BeforeAsync(OtklikDb db, IReadOnlyCollection<Guid> locationIds, DateTimeOffset before, TimeZoneInfo zone, bool perChannel,
            CancellationToken ct, bool everyLocation = false)
        {
            var ids = string.Join(',', locationIds);
            if (known.TryGetValue((ids, before, perChannel), out var rows)) return rows;
            // Rows per channel answer a summed read as well: its callers only add the rows up.
            if (!perChannel && known.TryGetValue((ids, before, true), out var channels)) rows = channels;
            // Before the organization's first counted day there are no rows (a year-ago comparison of a younger organization):
            // reading would find none on the day and then look each location up again (a thousand seeks on the bench).
            else if (await FirstDayAsync(db, ct) is not { } first || before <= first) rows = [];
            else rows = await RunningTotals.BeforeAsync(db, locationIds, before, zone, perChannel, ct, everyLocation, everyLocation ? await StampAsync(db, ct) : null);
            known[(ids, before, perChannel)] = rows;
            return rows;
        }
    }

    /// <summary>A list of location ids as one parameter: an array on PostgreSQL, a JSON array of EF's upper-case Guid text on SQLite.</summary>
    private static object IdsParameter(OtklikDb db, IEnumerable<Guid> ids) =>
        db.Database.IsNpgsql() ? ids.ToArray() : JsonSerializer.Serialize(ids.Select(RollupStore.Text));

    /// <summary>A filter of a location column by the list of <see cref="IdsParameter"/> as parameter <c>{0}</c>.</summary>
    private static string InIds(OtklikDb db, string column) =>
        db.Database.IsNpgsql() ? $"{column} = ANY({{0}})" : $"{column} IN (SELECT value FROM json_each({{0}}))";

    private static string Quote(string column) => $"\"{column}\"";
}
