using Microsoft.EntityFrameworkCore;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Features.Reports;

namespace Otklik.Web.Features.Rollups;

public sealed class RollupOptions
{
    public const string Section = "Otklik:Rollups";

    /// <summary>Maintain rollups as presses arrive. Off only to measure what maintenance costs (bench); dashboards then need a rebuild.</summary>
    public bool MaintainOnIngest { get; set; } = true;
}

/// <summary>
/// A kind of raw data that rollups count. Each source reads its stored events of a UTC range through the context's query
/// filters (one organization, or all in a system context). Other features (conversion, surveys) add their own source.
/// </summary>
public interface IRollupSource
{
    IAsyncEnumerable<TenantEvent> ReadAsync(OtklikDb db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

public sealed class PressRollupSource : IRollupSource
{
    public async IAsyncEnumerable<TenantEvent> ReadAsync(OtklikDb db, DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var rows = db.ButtonPresses.AsNoTracking().Where(p => p.OccurredAt >= from && p.OccurredAt < to)
            .Select(p => new ButtonPress
            {
                OrganizationId = p.OrganizationId, LocationId = p.LocationId, StaffMemberId = p.StaffMemberId, Type = p.Type, Suppressed = p.Suppressed,
                OccurredAt = p.OccurredAt,
            }).AsAsyncEnumerable();
        await foreach (var p in rows.WithCancellation(ct)) yield return RollupStore.Of(p);
    }
}

public sealed class FeedbackRollupSource : IRollupSource
{
    public async IAsyncEnumerable<TenantEvent> ReadAsync(OtklikDb db, DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var rows = db.Feedback.AsNoTracking().Where(f => f.CreatedAt >= from && f.CreatedAt < to)
            .Select(f => new Feedback.Feedback
            {
                OrganizationId = f.OrganizationId, LocationId = f.LocationId, Channel = f.Channel, Sentiment = f.Sentiment, CreatedAt = f.CreatedAt,
            }).AsAsyncEnumerable();
        await foreach (var f in rows.WithCancellation(ct)) yield return RollupStore.Of(f);
    }
}

/// <summary>Visitor counts, POS sales and sales attempts: the conversion columns of the rollups.</summary>
public sealed class ConversionRollupSource : IRollupSource
{
    public async IAsyncEnumerable<TenantEvent> ReadAsync(OtklikDb db, DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var v in db.VisitorCounts.AsNoTracking().Where(v => v.From >= from && v.From < to).AsAsyncEnumerable().WithCancellation(ct))
            yield return RollupStore.Of(v);
        await foreach (var s in db.PosSales.AsNoTracking().Where(s => s.From >= from && s.From < to).AsAsyncEnumerable().WithCancellation(ct))
            yield return RollupStore.Of(s);
        await foreach (var a in db.SalesAttempts.AsNoTracking().Where(a => a.OccurredAt >= from && a.OccurredAt < to).AsAsyncEnumerable().WithCancellation(ct))
            yield return RollupStore.Of(a);
    }
}

/// <summary>Counts committed presses into the rollups in the same transaction as the presses (a duplicate is never stored, so never counted).</summary>
public sealed class PressRollupHook : IPressCommitHook
{
    public Task OnPressesAsync(OtklikDb db, IReadOnlyList<ButtonPress> stored, CancellationToken ct) =>
        stored.Count == 0 ? Task.CompletedTask : RollupStore.AddAsync(db, stored.Select(RollupStore.Of), ct);
}

/// <summary>The hours a rebuild covered and how many rows it wrote.</summary>
public sealed record RebuildResult(DateTimeOffset From, DateTimeOffset To, int Buckets, long Events);

/// <summary>Recomputes the rollups of whole UTC hours from raw data, in one transaction.</summary>
public sealed class RollupRebuilder(IEnumerable<IRollupSource> sources)
{
    /// <summary>
    /// Deletes the rollups of the hours touching [<paramref name="from"/>, <paramref name="to"/>) that the context can see
    /// (its organization; every organization in a system context) and counts them again from every source.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL the table is locked against concurrent upserts (SHARE ROW EXCLUSIVE) for the rebuild: an event stored
    /// meanwhile either committed before (then the rebuild reads it) or waits and adds itself after the rebuild commits.
    /// SQLite has one writer at a time anyway (the transaction begins IMMEDIATE).
    /// </remarks>
    public async Task<RebuildResult> RebuildAsync(OtklikDb db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var start = HourlyBucket.HourStart(from);
        var end = HourlyBucket.HourStart(to.AddTicks(-1)).AddHours(1);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, ct);
        await db.HourlyRollups.Where(r => r.HourStartUtc >= start && r.HourStartUtc < end).ExecuteDeleteAsync(ct);

        var buckets = new Dictionary<(Guid Org, BucketKey Key), BucketCounts>();
        long events = 0;
        foreach (var source in sources)
        {
            await foreach (var e in source.ReadAsync(db, start, end, ct))
            {
                events++;
                RollupStore.Count(buckets, e);
            }
        }
        await RollupStore.UpsertAsync(db, RollupTier.Hour, RollupStore.Rows(buckets), ct);
        await RebuildTierAsync(db, RollupTier.Day, start, end, ct);
        await RebuildTierAsync(db, RollupTier.Month, start, end, ct);
        // A day's running totals depend on every day before it: summed again whole, from the daily tier.
        await RunningTotals.RebuildAsync(db, await db.Locations.Select(l => l.Id).ToListAsync(ct), ct);
        await tx.CommitAsync(ct);
        await AnalyzeAsync(db, ct);
        return new RebuildResult(start, end, buckets.Count, events);
    }

    /// <summary>
    /// The rows of a coarser tier (local days, months) touching [<paramref name="start"/>, <paramref name="end"/>), summed
    /// again from the next finer tier's rows of those whole spans (finer rows of a touched span outside the range keep
    /// counting). Locations sharing a time zone share spans: one query per zone and span, so memory stays bounded by a
    /// span's rows and the time index serves each.
    /// </summary>
    private static async Task RebuildTierAsync(OtklikDb db, RollupTier tier, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking().Select(l => new { l.Id, l.TimeZone }).ToListAsync(ct);
        foreach (var group in locations.GroupBy(l => ButtonStats.Zone(l.TimeZone)))
        {
            var (zone, ids) = (group.Key, group.Select(l => l.Id).ToList());
            var first = Rollup.SpanStart(tier, start, zone);
            var last = Rollup.NextSpan(tier, Rollup.SpanStart(tier, end.AddTicks(-1), zone), zone);
            if (tier == RollupTier.Day) await db.DailyRollups.Where(r => EF.Parameter(ids).Contains(r.LocationId) && r.DayStartUtc >= first && r.DayStartUtc < last).ExecuteDeleteAsync(ct);
            else await db.MonthlyRollups.Where(r => EF.Parameter(ids).Contains(r.LocationId) && r.MonthStartUtc >= first && r.MonthStartUtc < last).ExecuteDeleteAsync(ct);
            for (var span = first; span < last; span = Rollup.NextSpan(tier, span, zone))
            {
                var (from, to) = (span, Rollup.NextSpan(tier, span, zone));
                var finer = tier == RollupTier.Day
                    ? (await db.HourlyRollups.AsNoTracking().Where(r => EF.Parameter(ids).Contains(r.LocationId) && r.HourStartUtc >= from && r.HourStartUtc < to).ToListAsync(ct))
                        .Select(r => Bucket(r, r.HourStartUtc))
                    : (await db.DailyRollups.AsNoTracking().Where(r => EF.Parameter(ids).Contains(r.LocationId) && r.DayStartUtc >= from && r.DayStartUtc < to).ToListAsync(ct))
                        .Select(r => Bucket(r, r.DayStartUtc));
                await RollupStore.UpsertAsync(db, tier, RollupStore.ToTier(tier, finer, _ => zone), ct);
            }
        }
    }

    /// <summary>
    /// Sums a location's local days, months and running totals again from its hourly rows, for its (new) time zone: called in the transaction
    /// that changes the zone, after <see cref="LockAsync"/>, so that no event is counted under the old zone's days meanwhile.
    /// </summary>
    public static async Task RetierAsync(OtklikDb db, Guid locationId, TimeZoneInfo zone, CancellationToken ct)
    {
        await SumDaysAgainAsync(db, locationId, zone, ct);
        await RunningTotals.RebuildAsync(db, [locationId], ct);
    }

    /// <summary>A location's local days and months summed again from its hourly rows (the running totals are the caller's).</summary>
    private static async Task SumDaysAgainAsync(OtklikDb db, Guid locationId, TimeZoneInfo zone, CancellationToken ct)
    {
        await db.DailyRollups.Where(r => r.LocationId == locationId).ExecuteDeleteAsync(ct);
        await db.MonthlyRollups.Where(r => r.LocationId == locationId).ExecuteDeleteAsync(ct);
        var hourly = (await db.HourlyRollups.AsNoTracking().Where(r => r.LocationId == locationId).ToListAsync(ct)).Select(r => Bucket(r, r.HourStartUtc)).ToList();
        await RollupStore.UpsertAsync(db, RollupTier.Day, RollupStore.ToTier(RollupTier.Day, hourly, _ => zone), ct);
        await RollupStore.UpsertAsync(db, RollupTier.Month, RollupStore.ToTier(RollupTier.Month, hourly, _ => zone), ct);
    }

    /// <summary>
    /// Days and months whose first hour is not their location's local day start (a database written before the tiers were
    /// local, or a zone changed behind the application's back) are summed again from the hourly rows, every location the
    /// context sees, and the running totals from those days. Looks at the latest daily rows first, so a sound database costs one small query (at startup).
    /// </summary>
    /// <returns>How many locations were summed again (0: the sample was sound).</returns>
    public static async Task<int> RealignAsync(OtklikDb db, CancellationToken ct)
    {
        var zones = (await db.Locations.AsNoTracking().Select(l => new { l.Id, l.TimeZone }).ToListAsync(ct)).ToDictionary(l => l.Id, l => ButtonStats.Zone(l.TimeZone));
        var sample = await db.DailyRollups.AsNoTracking().OrderByDescending(r => r.DayStartUtc).Take(500).Select(r => new { r.LocationId, r.DayStartUtc }).ToListAsync(ct);
        if (sample.All(r => !zones.TryGetValue(r.LocationId, out var zone) || Rollup.SpanStart(RollupTier.Day, r.DayStartUtc, zone) == r.DayStartUtc))
            return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, ct);
        foreach (var (id, zone) in zones) await SumDaysAgainAsync(db, id, zone, ct);
        await RunningTotals.RebuildAsync(db, zones.Keys, ct); // once for all, not a statement per location
        await tx.CommitAsync(ct);
        await AnalyzeAsync(db, ct);
        return zones.Count;
    }

    /// <summary>
    /// PostgreSQL: locks the rollup tables against concurrent upserts (SHARE ROW EXCLUSIVE) until the transaction ends; an
    /// event stored meanwhile either committed before (and is read) or waits and adds itself after. SQLite has one writer at a
    /// time anyway.
    /// </summary>
    public static Task LockAsync(OtklikDb db, CancellationToken ct) => db.Database.IsNpgsql()
        ? db.Database.ExecuteSqlRawAsync($"LOCK TABLE \"{RollupStore.Table}\", \"{RollupStore.DailyTable}\", \"{RollupStore.MonthlyTable}\", \"{RunningTotals.Table}\" IN SHARE ROW EXCLUSIVE MODE", ct)
        : Task.CompletedTask;

    /// <summary>
    /// PostgreSQL: fresh planner statistics for the rollup tables a rebuild rewrote. Autovacuum cannot analyze them while a
    /// rebuild holds its lock; after a year rebuilt a month at a time (the bench) they had none, and until autovacuum caught up
    /// the running-total upsert was planned as a scan of the whole (bloated) table: 1.0–1.5 s per batch of 100 presses against
    /// ~25 ms with statistics.
    /// </summary>
    private static Task AnalyzeAsync(OtklikDb db, CancellationToken ct) => db.Database.IsNpgsql()
        ? db.Database.ExecuteSqlRawAsync($"ANALYZE \"{RollupStore.Table}\", \"{RollupStore.DailyTable}\", \"{RollupStore.MonthlyTable}\", \"{RunningTotals.Table}\"", ct)
        : Task.CompletedTask;

    private static (Guid Org, HourlyBucket Bucket) Bucket(RollupRow r, DateTimeOffset time) =>
        (r.OrganizationId, new HourlyBucket(new BucketKey(r.LocationId, r.StaffMemberId, time, r.Channel), r.Counts));
}
