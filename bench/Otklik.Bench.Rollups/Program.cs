using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Otklik.Core.Rollups;
using Otklik.Web.Components.Pages.Overview;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Features.Staff;
using Otklik.Web.Tenancy;

// otklik-bench-rollups --database sqlite|postgres [--postgres CONN] --work DIR [--presses 10000000] [--feedback N/10]
//   [--locations 1000] [--days 365] [--iterations 20] [--raw-iterations N] [--ingest 20000] --out FILE.md
// Generates the data, builds the rollups with the product's rebuild, then times the owner overview and a location
// drill-down from rollups and from raw events in the same process, and rollup maintenance per ingested press.
var a = args.Select((v, i) => (v, i)).Where(x => x.v.StartsWith("--", StringComparison.Ordinal) && x.i + 1 < args.Length)
    .ToDictionary(x => x.v[2..], x => args[x.i + 1], StringComparer.Ordinal);
string Arg(string name, string fallback) => a.GetValueOrDefault(name, fallback);
var database = Arg("database", "sqlite");
var presses = long.Parse(Arg("presses", "10000000"), CultureInfo.InvariantCulture);
var feedback = long.Parse(Arg("feedback", (presses / 10).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var locationCount = int.Parse(Arg("locations", "1000"), CultureInfo.InvariantCulture);
var days = int.Parse(Arg("days", "365"), CultureInfo.InvariantCulture);
var iterations = int.Parse(Arg("iterations", "20"), CultureInfo.InvariantCulture);
// --raw-iterations N: fewer runs of the raw side (a year's raw GROUP BY takes minutes on SQLite); default: as many.
var rawIterations = int.Parse(Arg("raw-iterations", iterations.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var ingest = int.Parse(Arg("ingest", "20000"), CultureInfo.InvariantCulture);
var work = Arg("work", Path.GetTempPath());
var postgres = database == "postgres";
// --reuse 1: time the queries on the data a previous run left (SQLite: WORK/rollups.db; PostgreSQL: --pgdb NAME), without loading.
var reuse = Arg("reuse", "0") == "1";
// --rebuild 1 with --reuse: build the rollups again from the raw data left behind (e.g. after a change of the tiers).
var rebuildAgain = Arg("rebuild", "0") == "1";
// --raw 0: time the rollup side only (a quick look after a change; no ratios).
var timeRaw = Arg("raw", "1") == "1";

string connection;
if (postgres)
{
    var server = Arg("postgres", "Host=127.0.0.1;Username=otklik");
    var name = Arg("pgdb", "otklik_rollups_" + Guid.NewGuid().ToString("N")[..8]);
    if (!reuse)
    await using (var c = new NpgsqlConnection(server + ";Database=postgres"))
    {
        await c.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c).ExecuteNonQueryAsync();
    }
    connection = server + ";Database=" + name + ";Command Timeout=600";
}
else connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(work, "rollups.db") }.ToString();

var tenant = new TenantContext();
tenant.SetSystem();
var sqlLog = Environment.GetEnvironmentVariable("BENCH_SQL_LOG") == "1";
// The node's cache of settled running totals, as the product registers it (one per process); the cold runs start each
// report with an empty one. Its clock stands at the data's last hour: data reused days later would otherwise have every day
// settled, the data's "today" included.
DateTimeOffset? dataNow = null;
var clock = new DataClock(() => dataNow ?? DateTimeOffset.UtcNow);
RunningTotalsCache NewCache() => new(Microsoft.Extensions.Options.Options.Create(new RunningTotalsCacheOptions()), clock);
var cache = NewCache();
OtklikDb NewDb() => postgres
    ? new PostgresOtklikDb(Log(new DbContextOptionsBuilder<PostgresOtklikDb>().UseNpgsql(connection)).Options, tenant, cache)
    : new SqliteOtklikDb(Log(new DbContextOptionsBuilder<SqliteOtklikDb>().UseSqlite(connection).AddInterceptors(new DatabaseSetup.SqlitePragmas())).Options, tenant, cache); // opened as the product opens them
DbContextOptionsBuilder<T> Log<T>(DbContextOptionsBuilder<T> b) where T : DbContext =>
    sqlLog ? b.LogTo(Console.WriteLine, [Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuted, Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.DataReaderClosing], Microsoft.Extensions.Logging.LogLevel.Debug) : b;

var log = new StringBuilder();
void Say(string line) { Console.WriteLine(line); log.AppendLine(line); }

await using (var db = NewDb())
{
    await db.Database.MigrateAsync();
    if (!postgres) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
}

// Organization, locations (Moscow time), two employees each (morning and evening shift), one button each.
var org = new Organization { Name = "Bench", CreatedAt = DateTimeOffset.UtcNow };
var locations = new List<(Guid Id, Guid Device, Guid Morning, Guid Evening)>();
if (reuse)
    await using (var db = NewDb())
    {
        org = await db.Organizations.AsNoTracking().SingleAsync();
        var staff = await db.StaffMembers.AsNoTracking().ToListAsync();
        var devices = await db.Devices.AsNoTracking().ToDictionaryAsync(d => d.LocationId, d => d.Id);
        foreach (var l in await db.Locations.AsNoTracking().OrderBy(l => l.Name).ToListAsync())
            locations.Add((l.Id, devices[l.Id], staff.Single(s => s.LocationId == l.Id && s.Name.StartsWith("Morning", StringComparison.Ordinal)).Id,
                staff.Single(s => s.LocationId == l.Id && s.Name.StartsWith("Evening", StringComparison.Ordinal)).Id));
    }
else
await using (var db = NewDb())
{
    db.Organizations.Add(org);
    for (var i = 0; i < locationCount; i++)
    {
        var l = new Location { OrganizationId = org.Id, Name = $"Location {i:0000}", Slug = $"bench-{org.Id:N}-{i}", CreatedAt = org.CreatedAt };
        var m = new StaffMember { OrganizationId = org.Id, LocationId = l.Id, Name = $"Morning {i}" };
        var e = new StaffMember { OrganizationId = org.Id, LocationId = l.Id, Name = $"Evening {i}" };
        var d = new Device { OrganizationId = org.Id, LocationId = l.Id, Name = "Button", Kind = DeviceKind.ButtonSmart, TokenHash = "x" + i, CreatedAt = org.CreatedAt };
        db.AddRange(l, m, e, d);
        locations.Add((l.Id, d.Id, m.Id, e.Id));
    }
    await db.SaveChangesAsync();
}

var end = HourlyBucket.HourStart(org.CreatedAt);
dataNow = end;
var start = end.AddDays(-days);
var random = new Random(2026);
var moscow = TimeSpan.FromHours(3);

IEnumerable<ButtonPress> Presses(long count)
{
    for (long n = 0; n < count; n++)
    {
        if (n > 0 && n % 1_000_000 == 0) Console.WriteLine(FormattableString.Invariant($"  {n:N0} presses generated"));
        var loc = locations[random.Next(locations.Count)];
        var day = start.AddDays(random.Next(days));
        var localHour = 8 + random.Next(14);
        var at = new DateTimeOffset(day.UtcDateTime.Date, TimeSpan.Zero).AddHours(localHour - moscow.TotalHours).AddSeconds(random.Next(3600));
        if (at >= end) at = end.AddHours(-1 - random.Next(100));
        yield return new ButtonPress
        {
            OrganizationId = org.Id, LocationId = loc.Id, DeviceId = loc.Device, EventId = Guid.NewGuid(), StaffMemberId = localHour < 15 ? loc.Morning : loc.Evening,
            Type = random.NextDouble() < 0.12 ? PressType.Red : PressType.Green, OccurredAt = at, ReceivedAt = at, Suppressed = random.NextDouble() < 0.01,
            Channel = IngestChannel.Mqtt,
        };
    }
}

var channels = new[] { FeedbackChannel.QrPage, FeedbackChannel.Kiosk, FeedbackChannel.CallCentre };
IEnumerable<Feedback> FeedbackRows(long count)
{
    for (long n = 0; n < count; n++)
    {
        var loc = locations[random.Next(locations.Count)];
        var at = start.AddSeconds(random.NextInt64((long)(end - start).TotalSeconds));
        var s = random.NextDouble();
        yield return new Feedback
        {
            OrganizationId = org.Id, LocationId = loc.Id, Channel = channels[random.Next(channels.Length)],
            Sentiment = s < 0.6 ? Sentiment.Positive : s < 0.75 ? Sentiment.Neutral : Sentiment.Negative, CreatedAt = at,
        };
    }
}

var load = Stopwatch.StartNew();
if (reuse) { }
else if (postgres)
{
    await using var c = new NpgsqlConnection(connection);
    await c.OpenAsync();
    await using (var w = await c.BeginBinaryImportAsync("COPY \"ButtonPresses\" (\"Id\", \"OrganizationId\", \"LocationId\", \"DeviceId\", \"EventId\", \"StaffMemberId\", \"Type\", \"OccurredAt\", \"ReceivedAt\", \"Suppressed\", \"Channel\") FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var p in Presses(presses))
        {
            await w.StartRowAsync();
            await w.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await w.WriteAsync(p.OrganizationId, NpgsqlDbType.Uuid);
            await w.WriteAsync(p.LocationId, NpgsqlDbType.Uuid);
            await w.WriteAsync(p.DeviceId, NpgsqlDbType.Uuid);
            await w.WriteAsync(p.EventId, NpgsqlDbType.Uuid);
            await w.WriteAsync(p.StaffMemberId!.Value, NpgsqlDbType.Uuid);
            await w.WriteAsync(p.Type.ToString(), NpgsqlDbType.Varchar);
            await w.WriteAsync(p.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await w.WriteAsync(p.ReceivedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await w.WriteAsync(p.Suppressed, NpgsqlDbType.Boolean);
            await w.WriteAsync(p.Channel.ToString(), NpgsqlDbType.Varchar);
        }
        await w.CompleteAsync();
    }
    await using (var w = await c.BeginBinaryImportAsync("COPY \"Feedback\" (\"Id\", \"OrganizationId\", \"LocationId\", \"Channel\", \"Sentiment\", \"TestimonialConsent\", \"CreatedAt\") FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var f in FeedbackRows(feedback))
        {
            await w.StartRowAsync();
            await w.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await w.WriteAsync(f.OrganizationId, NpgsqlDbType.Uuid);
            await w.WriteAsync(f.LocationId, NpgsqlDbType.Uuid);
            await w.WriteAsync(f.Channel.ToString(), NpgsqlDbType.Varchar);
            await w.WriteAsync(f.Sentiment.ToString(), NpgsqlDbType.Varchar);
            await w.WriteAsync(false, NpgsqlDbType.Boolean);
            await w.WriteAsync(f.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        }
        await w.CompleteAsync();
    }
    await new NpgsqlCommand("ANALYZE", c).ExecuteNonQueryAsync();
}
else
{
    await using var c = new SqliteConnection(connection);
    await c.OpenAsync();
    await new SqliteCommand("PRAGMA cache_size = -2000000", c).ExecuteNonQueryAsync(); // 2 GB: the indexes of a 10 M row table in memory while loading
    static string G(Guid g) => g.ToString().ToUpperInvariant(); // EF Core's SQLite representation of a Guid
    // Bulk load as one would: the secondary indexes of the two event tables dropped first and built again after.
    var indexes = new List<(string Name, string Sql)>();
    await using (var list = new SqliteCommand("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('ButtonPresses', 'Feedback') AND sql IS NOT NULL", c))
    await using (var r = await list.ExecuteReaderAsync())
        while (await r.ReadAsync()) indexes.Add((r.GetString(0), r.GetString(1)));
    foreach (var (name, _) in indexes) await new SqliteCommand($"DROP INDEX \"{name}\"", c).ExecuteNonQueryAsync();
    await SqliteBulkAsync(c, "ButtonPresses", ["Id", "OrganizationId", "LocationId", "DeviceId", "EventId", "StaffMemberId", "Type", "OccurredAt", "ReceivedAt", "Suppressed", "Channel"],
        Presses(presses).Select(p => new object[] { G(Guid.CreateVersion7()), G(p.OrganizationId), G(p.LocationId), G(p.DeviceId), G(p.EventId), G(p.StaffMemberId!.Value),
            p.Type.ToString(), p.OccurredAt.UtcTicks, p.ReceivedAt.UtcTicks, p.Suppressed ? 1 : 0, p.Channel.ToString() }));
    await SqliteBulkAsync(c, "Feedback", ["Id", "OrganizationId", "LocationId", "Channel", "Sentiment", "TestimonialConsent", "CreatedAt"],
        FeedbackRows(feedback).Select(f => new object[] { G(Guid.CreateVersion7()), G(f.OrganizationId), G(f.LocationId), f.Channel.ToString(), f.Sentiment.ToString(), 0, f.CreatedAt.UtcTicks }));
    foreach (var (_, sql) in indexes) await new SqliteCommand(sql, c) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
    await new SqliteCommand("ANALYZE", c).ExecuteNonQueryAsync();
}
if (!reuse) Say(FormattableString.Invariant($"Loaded {presses:N0} presses and {feedback:N0} feedback over {locationCount} locations and {days} days in {load.Elapsed.TotalSeconds:0.0} s."));

// Rollups through the product's rebuild, a month at a time (bounded memory).
var rebuild = Stopwatch.StartNew();
long buckets = 0;
for (var from = start; (!reuse || rebuildAgain) && from < end; from = from.AddDays(30))
{
    await using var db = NewDb();
    db.Database.SetCommandTimeout(600);
    var r = await new RollupRebuilder([new PressRollupSource(), new FeedbackRollupSource()]).RebuildAsync(db, from, from.AddDays(30) < end ? from.AddDays(30) : end, default);
    buckets += r.Buckets;
    Console.WriteLine(FormattableString.Invariant($"  rollups rebuilt up to {r.To:yyyy-MM-dd} ({rebuild.Elapsed.TotalSeconds:0} s)"));
}
if (!reuse || rebuildAgain) Say(FormattableString.Invariant($"Rollups rebuilt: {buckets:N0} rows in {rebuild.Elapsed.TotalSeconds:0.0} s."));

// Queries as the owner sees them: the last 30 days.
tenant.SetOrganization(org.Id);
var today = DateOnly.FromDateTime(end.ToOffset(moscow).DateTime);
var period = new ReportPeriod(PeriodBound.OfDate(today.AddDays(-29)), PeriodBound.OfDate(today));
var year = new ReportPeriod(PeriodBound.OfDate(today.AddDays(-364)), PeriodBound.OfDate(today));
var drillLocation = locations[0].Id;
IRollupSource[] raw = [new PressRollupSource(), new FeedbackRollupSource()];

// cold: each run with an empty cache of settled running totals (a node's first report after a start or a late event).
async Task<List<double>> TimeAsync(Func<OtklikDb, Task> work, bool raw = false, bool cold = false)
{
    var samples = new List<double>();
    if (raw && !timeRaw) return [double.NaN];
    for (var i = 0; i < (raw ? rawIterations : iterations) + 2; i++)
    {
        if (cold)
        {
            cache.Dispose();
            cache = NewCache();
        }
        await using var db = NewDb();
        db.Database.SetCommandTimeout(600);
        var sw = Stopwatch.StartNew();
        await work(db);
        if (i >= 2) samples.Add(sw.Elapsed.TotalMilliseconds); // two warm-ups
    }
    samples.Sort();
    return samples;
}

static double P(List<double> s, double q) => s[Math.Clamp((int)Math.Ceiling(q * s.Count) - 1, 0, s.Count - 1)];

// The raw side as a database would answer it without rollups: GROUP BYs over the event tables for the period and the three
// trend ranges, as the rollup queries do, with the organization spelled out so that the (OrganizationId, time) and
// (LocationId, time) indexes can serve them.
var orgId = org.Id;
async Task RawOverviewAsync(OtklikDb db, ReportPeriod period)
{
    var places = await MetricsEngine.PlacesAsync(db, period, null, default);
    var (s, e) = (places.Min(p => p.Start), places.Max(p => p.End));
    foreach (var (f, t) in Ranges(s, e))
    {
        await db.ButtonPresses.AsNoTracking().Where(p => p.OrganizationId == orgId && p.OccurredAt >= f && p.OccurredAt < t)
            .GroupBy(p => new { p.LocationId, p.Type, p.Suppressed }).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
        await db.Feedback.AsNoTracking().Where(x => x.OrganizationId == orgId && x.CreatedAt >= f && x.CreatedAt < t)
            .GroupBy(x => new { x.LocationId, x.Channel, x.Sentiment }).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    }
}

// The owner's overview page as it loads (Overview.razor): the report per location and per employee (each with trends), the
// report by day and the sparklines. Its raw side: the GROUP BYs per location above, the same per employee, and one GROUP BY
// per location and UTC hour over the period (what a by-day chart and per-location daily sparklines need from raw events).
async Task RollupPageAsync(OtklikDb db, ReportPeriod period)
{
    await MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Location, MetricsSource.Rollups, raw, default);
    await MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Staff, MetricsSource.Rollups, raw, default);
    await MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Day, MetricsSource.Rollups, raw, default);
    await OverviewData.SparklinesAsync(db, period, today.AddDays(-29), today);
}

async Task RawPageAsync(OtklikDb db, ReportPeriod period)
{
    await RawOverviewAsync(db, period);
    var places = await MetricsEngine.PlacesAsync(db, period, null, default);
    var (s, e) = (places.Min(p => p.Start), places.Max(p => p.End));
    foreach (var (f, t) in Ranges(s, e))
        await db.ButtonPresses.AsNoTracking().Where(p => p.OrganizationId == orgId && p.OccurredAt >= f && p.OccurredAt < t)
            .GroupBy(p => new { p.StaffMemberId, p.Type, p.Suppressed }).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    await RawHoursAsync(db, null, s, e, _ => { });
}

// Raw events per location, UTC hour and kind (presses: type and suppression; feedback: channel and sentiment) of
// [s, e), at one location or all of the organization's; each row: location, hour number (see HourStart), kind…, count.
// PostgreSQL numbers hours from 1970 (epoch seconds / 3600), SQLite from year 1 (ticks / hour).
DateTimeOffset HourStart(long hour) => postgres ? DateTimeOffset.UnixEpoch.AddHours(hour) : new DateTimeOffset(hour * TimeSpan.TicksPerHour, TimeSpan.Zero);

async Task RawHoursAsync(OtklikDb db, Guid? location, DateTimeOffset s, DateTimeOffset e, Action<System.Data.Common.DbDataReader> row)
{
    var c = db.Database.GetDbConnection();
    await db.Database.OpenConnectionAsync();
    var hour = postgres ? "floor(extract(epoch from {0}) / 3600)::bigint" : "{0} / 36000000000";
    foreach (var (table, time, kind) in new[] { ("ButtonPresses", "OccurredAt", "\"Type\", \"Suppressed\""), ("Feedback", "CreatedAt", "\"Channel\", \"Sentiment\"") })
    {
        await using var cmd = c.CreateCommand();
        var h = string.Format(CultureInfo.InvariantCulture, hour, $"\"{time}\"");
        var at = location is null ? "" : "AND \"LocationId\" = @l ";
        cmd.CommandText = $"SELECT \"LocationId\", {h}, {kind}, COUNT(*) FROM \"{table}\" WHERE \"OrganizationId\" = @o {at}AND \"{time}\" >= @s AND \"{time}\" < @e GROUP BY \"LocationId\", {h}, {kind}";
        void Add(string name, object value) { var p = cmd.CreateParameter(); p.ParameterName = name; p.Value = value; cmd.Parameters.Add(p); }
        Add("@o", postgres ? orgId : orgId.ToString().ToUpperInvariant());
        if (location is { } l) Add("@l", postgres ? l : l.ToString().ToUpperInvariant());
        Add("@s", postgres ? s.UtcDateTime : s.UtcTicks);
        Add("@e", postgres ? e.UtcDateTime : e.UtcTicks);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) row(r);
    }
}

// Raw drill-down: one location's events of the period per UTC hour (folded into local days as the rollup path does),
// and its totals over the trend ranges.
async Task RawDrillDownAsync(OtklikDb db)
{
    var place = (await MetricsEngine.PlacesAsync(db, period, drillLocation, default)).Single();
    var byHour = new Dictionary<long, long>();
    await RawHoursAsync(db, drillLocation, place.Start, place.End, r => byHour[r.GetInt64(1)] = byHour.GetValueOrDefault(r.GetInt64(1)) + r.GetInt64(4));
    var days = byHour.GroupBy(kv => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(HourStart(kv.Key), place.Zone).DateTime)).Count();
    if (days == 0) throw new InvalidOperationException("The drill-down location has no events in the period.");
    foreach (var (f, t) in Ranges(place.Start, place.End).Skip(1))
    {
        await db.ButtonPresses.AsNoTracking().Where(p => p.OrganizationId == orgId && p.LocationId == drillLocation && p.OccurredAt >= f && p.OccurredAt < t)
            .GroupBy(p => new { p.Type, p.Suppressed }).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
        await db.Feedback.AsNoTracking().Where(x => x.OrganizationId == orgId && x.LocationId == drillLocation && x.CreatedAt >= f && x.CreatedAt < t)
            .GroupBy(x => new { x.Channel, x.Sentiment }).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    }
}

// The period, its last week, the week before, the same period a year earlier (MetricsEngine.ComputeAsync's ranges).
static (DateTimeOffset, DateTimeOffset)[] Ranges(DateTimeOffset s, DateTimeOffset e)
{
    var whole = new Place(Guid.Empty, "", TimeZoneInfo.Utc, s, e);
    return [(s, e), MetricsEngine.ThisWeek(whole), MetricsEngine.LastWeek(whole), MetricsEngine.LastYear(whole)];
}

var rawOverview = await TimeAsync(db => RawOverviewAsync(db, period), raw: true);
var results = new List<(string Name, List<double> Rollups, List<double> Raw)>
{
    (FormattableString.Invariant($"Owner overview ({locationCount:N0} locations, 30 days, with trends)"),
        await TimeAsync(db => MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Location, MetricsSource.Rollups, raw, default)),
        rawOverview),
    (FormattableString.Invariant($"Owner overview ({locationCount:N0} locations, 30 days, with trends), settled days not in memory"),
        await TimeAsync(db => MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Location, MetricsSource.Rollups, raw, default), cold: true),
        rawOverview),
    (FormattableString.Invariant($"Owner overview ({locationCount:N0} locations, 365 days, with trends)"),
        await TimeAsync(db => MetricsEngine.ComputeAsync(db, year, null, MetricsGrouping.Location, MetricsSource.Rollups, raw, default)),
        await TimeAsync(db => RawOverviewAsync(db, year), raw: true)),
    (FormattableString.Invariant($"Owner overview page ({locationCount:N0} locations, 30 days: locations, employees, by day, sparklines)"),
        await TimeAsync(db => RollupPageAsync(db, period)),
        await TimeAsync(db => RawPageAsync(db, period), raw: true)),
    ("Location drill-down (one location, 30 days by day)",
        await TimeAsync(db => MetricsEngine.ComputeAsync(db, period, drillLocation, MetricsGrouping.Day, MetricsSource.Rollups, raw, default)),
        await TimeAsync(RawDrillDownAsync, raw: true)),
};
tenant.SetSystem();

// Maintenance: N presses stored in transactions of 100 (as a group commit does), without and with the rollup upsert.
async Task<double> IngestAsync(bool withRollups)
{
    var sw = Stopwatch.StartNew();
    var batch = Presses(ingest).Select(p => { p.OccurredAt = end.AddMinutes(-random.Next(600)); return p; }).Chunk(100);
    foreach (var chunk in batch)
    {
        await using var db = NewDb();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync();
        db.ButtonPresses.AddRange(chunk);
        await db.SaveChangesAsync();
        if (withRollups) await new PressRollupHook().OnPressesAsync(db, chunk, default);
        await tx.CommitAsync();
    }
    return sw.Elapsed.TotalMilliseconds * 1000 / ingest; // µs per press
}
var without = await IngestAsync(false);
var with = await IngestAsync(true);

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"### {(postgres ? "PostgreSQL" : "SQLite")}: {presses:N0} presses, {feedback:N0} feedback, {locationCount} locations, {days} days");
md.AppendLine();
md.Append(log.ToString().Replace("\n", "  \n", StringComparison.Ordinal));
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"| query ({iterations} runs{(rawIterations != iterations ? $", raw {rawIterations}" : "")} after 2 warm-ups each) | rollups p50 / p95 ms | raw p50 / p95 ms | raw ÷ rollups (p50) | target ≥ 100×, p95 < 50 ms |");
md.AppendLine("| --- | --- | --- | --- | --- |");
foreach (var (name, r, w) in results)
{
    var ratio = P(w, 0.5) / P(r, 0.5);
    md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {P(r, 0.5):0.0} / {P(r, 0.95):0.0} | {P(w, 0.5):0.0} / {P(w, 0.95):0.0} | {ratio:0.0}× | {(ratio >= 100 && P(r, 0.95) < 50 ? "met" : "missed")} |");
}
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Rollup maintenance: {ingest:N0} presses in transactions of 100: {without:0.0} µs per press without the rollup upsert, {with:0.0} µs with it (+{with - without:0.0} µs, {(with / without - 1) * 100:0}%).");
md.AppendLine();
Console.WriteLine(md.ToString());
if (a.TryGetValue("out", out var outFile)) await File.AppendAllTextAsync(outFile, md.ToString());

if (postgres)
{
    NpgsqlConnection.ClearAllPools();
}
return 0;

static async Task SqliteBulkAsync(SqliteConnection c, string table, string[] columns, IEnumerable<object[]> rows)
{
    const int perStatement = 50;
    await using var tx = c.BeginTransaction();
    SqliteCommand Prepare(int n)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        var sb = new StringBuilder($"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(x => $"\"{x}\""))}) VALUES ");
        for (var r = 0; r < n; r++)
        {
            sb.Append(r == 0 ? "(" : ", (").Append(string.Join(", ", columns.Select((_, k) => $"$p{r}_{k}"))).Append(')');
            for (var k = 0; k < columns.Length; k++) cmd.Parameters.Add(new SqliteParameter($"$p{r}_{k}", null));
        }
        cmd.CommandText = sb.ToString();
        cmd.Prepare();
        return cmd;
    }
    using var full = Prepare(perStatement);
    foreach (var chunk in rows.Chunk(perStatement))
    {
        var cmd = chunk.Length == perStatement ? full : Prepare(chunk.Length);
        for (var r = 0; r < chunk.Length; r++)
            for (var k = 0; k < columns.Length; k++) cmd.Parameters[r * columns.Length + k].Value = chunk[r][k];
        await cmd.ExecuteNonQueryAsync();
        if (cmd != full) cmd.Dispose();
    }
    await tx.CommitAsync();
}

/// <summary>A clock that reads the given instant (the data's last hour).</summary>
sealed class DataClock(Func<DateTimeOffset> now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now();
}
