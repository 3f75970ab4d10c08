using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Conversion;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Reports;

namespace Otklik.Web.Features.Conversion;

/// <summary>Counts and conversion metrics of one group (a location, an hour of day, a weekday, an employee, a heat-map cell).</summary>
public sealed record ConversionRow(
    string Key, string Label, long Visitors, long Receipts, decimal Revenue, long Items, long SalesAttempts,
    double? Conversion, decimal? AverageCheck, double? ItemsPerReceipt, double? Coverage)
{
    public static ConversionRow Of(string key, string label, BucketCounts c)
    {
        var r = c.ToConversion();
        return new(key, label, c.Visitors, c.Receipts, c.Revenue, c.Items, c.SalesAttempts, r.Conversion,
            r.AverageCheck is { } a ? decimal.Round(a, 2) : null, r.ItemsPerReceipt, r.Coverage);
    }
}

/// <summary>One cell of a heat map: <paramref name="Row"/> is a location id or an ISO weekday, <paramref name="Hour"/> the local hour.</summary>
public sealed record HeatCell(string Row, int Hour, long Visitors, long Receipts, double? Conversion);

/// <summary>The answer of <c>GET /api/v1/reports/conversion</c>.</summary>
public sealed record ConversionReport(
    string From, string To, Guid? LocationId, ConversionRow Totals, IReadOnlyList<ConversionRow> Locations, IReadOnlyList<ConversionRow> Hours,
    IReadOnlyList<ConversionRow> Weekdays, IReadOnlyList<ConversionRow> Staff, IReadOnlyList<HeatCell> LocationByHour, IReadOnlyList<HeatCell> WeekdayByHour);

/// <summary>One employee's row of the KPI matrix, with each KPI rated against the organization's thresholds.</summary>
public sealed record KpiRow(
    Guid StaffId, string Name, long Visitors, long Receipts, decimal Revenue, long SalesAttempts, long Green, long Red, long FunnelEntries,
    double? Conversion, decimal? AverageCheck, double? Coverage, double? Quality,
    KpiRating ConversionRating, KpiRating AverageCheckRating, KpiRating CoverageRating, KpiRating QualityRating, KpiRating FunnelRating);

public sealed record FunnelReasonRow(string Key, string Name, long Count);

public sealed record FunnelStageRow(string Key, string Name, long Reached, long Exits, double? DropOffShare, IReadOnlyList<FunnelReasonRow> Reasons);

/// <summary>The answer of <c>GET /api/v1/reports/funnel</c>: where visitors leave and why.</summary>
public sealed record FunnelReport(
    string From, string To, Guid? LocationId, long Entered, long Purchased, long Refused, IReadOnlyList<FunnelStageRow> Stages,
    string? BiggestDropStage, IReadOnlyList<FunnelReasonRow> TopReasons);

/// <summary>
/// Conversion, average check, coverage, the seller KPI matrix and the funnel, computed from the raw records of a period.
/// </summary>
/// <remarks>
/// Every raw record becomes a <see cref="RollupEvent"/> (a visitor count of N in an interval is N visitors at its start;
/// a POS interval of N receipts is N receipts at its start) and the numbers come from <see cref="Rollup"/> and
/// <see cref="BucketCounts.ToConversion"/> — the same definitions the hourly rollups use, so the two agree by construction
/// (property-tested in Otklik.Core.Tests). Hours and weekdays are in each location's own time zone.
/// An employee's visitors are those counted at a location while they were on shift there: a shared denominator when
/// several sellers work at once, which is what "coverage" asks — of the visitors who came while I was on the floor,
/// how many did I approach?
/// </remarks>
public static class ConversionStats
{
    private sealed record Place(Guid Id, string Name, TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End);

    private sealed record Raw(Guid LocationId, Guid? StaffId, DateTimeOffset At, RollupEventKind Kind, long Count, decimal Revenue, long Items);

    public static async Task<ConversionSettings> SettingsAsync(OtklikDb db, CancellationToken ct) =>
        await db.ConversionSettings.AsNoTracking().FirstOrDefaultAsync(ct) ?? new ConversionSettings { OrganizationId = db.Tenant.OrganizationId };

    private static async Task<Dictionary<Guid, Place>> PlacesAsync(OtklikDb db, ReportPeriod period, Guid? locationId, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking().Where(l => locationId == null || l.Id == locationId)
            .Select(l => new { l.Id, l.Name, l.TimeZone }).ToListAsync(ct);
        return locations
            .Select(l => { var zone = ButtonStats.Zone(l.TimeZone); var (s, e) = period.In(zone); return new Place(l.Id, l.Name, zone, s, e); })
            .OrderBy(p => p.Name, StringComparer.CurrentCulture).ThenBy(p => p.Id)
            .ToDictionary(p => p.Id);
    }

    private static async Task<List<Raw>> RawAsync(OtklikDb db, Dictionary<Guid, Place> places, CancellationToken ct)
    {
        if (places.Count == 0) return [];
        var from = places.Values.Min(p => p.Start);
        var to = places.Values.Max(p => p.End);
        var ids = places.Keys.ToList();
        var raw = new List<Raw>();
        raw.AddRange((await db.VisitorCounts.AsNoTracking().Where(v => ids.Contains(v.LocationId) && v.From >= from && v.From < to)
                .Select(v => new { v.LocationId, v.From, v.In }).ToListAsync(ct))
            .Select(v => new Raw(v.LocationId, null, v.From, RollupEventKind.Visitor, v.In, 0, 0)));
        raw.AddRange((await db.PosSales.AsNoTracking().Where(s => ids.Contains(s.LocationId) && s.From >= from && s.From < to)
                .Select(s => new { s.LocationId, s.StaffMemberId, s.From, s.Receipts, s.RevenueMinor, s.Items }).ToListAsync(ct))
            .Select(s => new Raw(s.LocationId, s.StaffMemberId, s.From, RollupEventKind.Receipt, s.Receipts, s.RevenueMinor / 100m, s.Items)));
        raw.AddRange((await db.SalesAttempts.AsNoTracking().Where(a => ids.Contains(a.LocationId) && a.OccurredAt >= from && a.OccurredAt < to)
                .Select(a => new { a.LocationId, a.StaffMemberId, a.OccurredAt }).ToListAsync(ct))
            .Select(a => new Raw(a.LocationId, a.StaffMemberId, a.OccurredAt, RollupEventKind.SalesAttempt, 1, 0, 0)));
        return [.. raw.Where(r => places.TryGetValue(r.LocationId, out var p) && r.At >= p.Start && r.At < p.End)];
    }

    /// <summary>Counts of one raw record, as a sum of single events would give them.</summary>
    private static BucketCounts Counts(Raw r) => r.Kind switch
    {
        RollupEventKind.Visitor => new(0, 0, 0, r.Count, 0, 0, 0, 0),
        RollupEventKind.Receipt => new(0, 0, 0, 0, r.Count, r.Revenue, r.Items, 0),
        _ => new(0, 0, 0, 0, 0, 0, 0, r.Count),
    };

    public static async Task<ConversionReport> ComputeAsync(OtklikDb db, ReportPeriod period, Guid? locationId, CancellationToken ct)
    {
        var places = await PlacesAsync(db, period, locationId, ct);
        var raw = await RawAsync(db, places, ct);
        var total = default(BucketCounts);
        var byLocation = places.Keys.ToDictionary(k => k, _ => default(BucketCounts));
        var byHour = new BucketCounts[24];
        var byWeekday = new BucketCounts[7];
        var byStaff = new Dictionary<Guid, BucketCounts>();
        var locHour = new Dictionary<(Guid, int), BucketCounts>();
        var dayHour = new Dictionary<(int, int), BucketCounts>();
        foreach (var r in raw)
        {
            var c = Counts(r);
            var place = places[r.LocationId];
            var local = TimeZoneInfo.ConvertTime(r.At, place.Zone);
            var weekday = ButtonStats.IsoWeekday(local.DayOfWeek);
            total = total.Merge(c);
            byLocation[r.LocationId] = byLocation[r.LocationId].Merge(c);
            byHour[local.Hour] = byHour[local.Hour].Merge(c);
            byWeekday[weekday - 1] = byWeekday[weekday - 1].Merge(c);
            locHour[(r.LocationId, local.Hour)] = locHour.GetValueOrDefault((r.LocationId, local.Hour)).Merge(c);
            dayHour[(weekday, local.Hour)] = dayHour.GetValueOrDefault((weekday, local.Hour)).Merge(c);
            if (r.StaffId is { } s) byStaff[s] = byStaff.GetValueOrDefault(s).Merge(c);
        }
        var names = await StaffNamesAsync(db, byStaff.Keys, ct);
        var inv = CultureInfo.InvariantCulture;
        return new ConversionReport(
            period.From.ToString(), period.To.ToString(), locationId,
            ConversionRow.Of("total", "Total", total),
            [.. places.Values.Select(p => ConversionRow.Of(p.Id.ToString(), p.Name, byLocation[p.Id]))],
            [.. byHour.Select((c, h) => ConversionRow.Of(h.ToString(inv), $"{h:00}:00", c))],
            [.. byWeekday.Select((c, i) => ConversionRow.Of((i + 1).ToString(inv), ButtonStats.FromIso(i + 1).ToString(), c))],
            [.. byStaff.Select(kv => ConversionRow.Of(kv.Key.ToString(), names.GetValueOrDefault(kv.Key, "?"), kv.Value)).OrderBy(r => r.Label, StringComparer.CurrentCulture)],
            [.. locHour.OrderBy(kv => places[kv.Key.Item1].Name, StringComparer.CurrentCulture).ThenBy(kv => kv.Key.Item2)
                .Select(kv => Cell(kv.Key.Item1.ToString(), kv.Key.Item2, kv.Value))],
            [.. dayHour.OrderBy(kv => kv.Key).Select(kv => Cell(kv.Key.Item1.ToString(inv), kv.Key.Item2, kv.Value))]);
    }

    private static HeatCell Cell(string row, int hour, BucketCounts c) => new(row, hour, c.Visitors, c.Receipts, c.ToConversion().Conversion);

    /// <summary>The seller KPI matrix: one row per employee with anything recorded in the period.</summary>
    public static async Task<IReadOnlyList<KpiRow>> KpisAsync(OtklikDb db, ReportPeriod period, Guid? locationId, CancellationToken ct)
    {
        var places = await PlacesAsync(db, period, locationId, ct);
        if (places.Count == 0) return [];
        var settings = await SettingsAsync(db, ct);
        var raw = await RawAsync(db, places, ct);
        var from = places.Values.Min(p => p.Start);
        var to = places.Values.Max(p => p.End);
        var ids = places.Keys.ToList();
        var shifts = await db.Shifts.AsNoTracking().Where(s => ids.Contains(s.LocationId) && s.StartsAt < to && s.EndsAt > from)
            .Select(s => new { s.LocationId, s.StaffMemberId, s.StartsAt, s.EndsAt }).ToListAsync(ct);
        var counts = new Dictionary<Guid, BucketCounts>();
        void Add(Guid staff, BucketCounts c) => counts[staff] = counts.GetValueOrDefault(staff).Merge(c);
        foreach (var r in raw)
        {
            if (r.Kind == RollupEventKind.Visitor)
            {
                foreach (var s in shifts.Where(s => s.LocationId == r.LocationId && s.StartsAt <= r.At && s.EndsAt > r.At).Select(s => s.StaffMemberId).Distinct())
                    Add(s, Counts(r));
            }
            else if (r.StaffId is { } staff) Add(staff, Counts(r));
        }
        var presses = (await db.ButtonPresses.AsNoTracking()
                .Where(p => ids.Contains(p.LocationId) && p.StaffMemberId != null && !p.Suppressed && p.OccurredAt >= from && p.OccurredAt < to)
                .Select(p => new { p.LocationId, p.StaffMemberId, p.Type, p.OccurredAt }).ToListAsync(ct))
            .Where(p => p.OccurredAt >= places[p.LocationId].Start && p.OccurredAt < places[p.LocationId].End)
            .GroupBy(p => p.StaffMemberId!.Value)
            .ToDictionary(g => g.Key, g => (Green: g.LongCount(p => p.Type == PressType.Green), Red: g.LongCount(p => p.Type == PressType.Red)));
        var entries = (await db.FunnelEntries.AsNoTracking()
                .Where(f => ids.Contains(f.LocationId) && f.StaffMemberId != null && f.Mode == FunnelMode.Seller && f.OccurredAt >= from && f.OccurredAt < to)
                .Select(f => new { f.LocationId, f.StaffMemberId, f.OccurredAt }).ToListAsync(ct))
            .Where(f => f.OccurredAt >= places[f.LocationId].Start && f.OccurredAt < places[f.LocationId].End)
            .GroupBy(f => f.StaffMemberId!.Value).ToDictionary(g => g.Key, g => g.LongCount());
        var staffIds = counts.Keys.Concat(presses.Keys).Concat(entries.Keys).Distinct().ToList();
        var names = await StaffNamesAsync(db, staffIds, ct);
        var t = Thresholds(settings);
        return [.. staffIds.Select(id =>
        {
            var c = counts.GetValueOrDefault(id);
            var (green, red) = presses.GetValueOrDefault(id);
            var k = SellerKpis.Compute(new SalesCounts(c.Visitors, c.Receipts, c.Revenue, c.Items, c.SalesAttempts), green, red, entries.GetValueOrDefault(id));
            var avg = k.Sales.AverageCheck is { } a ? decimal.Round(a, 2) : (decimal?)null;
            return new KpiRow(id, names.GetValueOrDefault(id, "?"), c.Visitors, c.Receipts, c.Revenue, c.SalesAttempts, green, red, k.FunnelEntries,
                k.Sales.Conversion, avg, k.Sales.Coverage, k.Quality,
                SellerKpis.Rate(k.Sales.Conversion, t.MinConversion), SellerKpis.Rate(avg, t.MinAverageCheck), SellerKpis.Rate(k.Sales.Coverage, t.MinCoverage),
                SellerKpis.Rate(k.Quality, t.MinQuality), SellerKpis.Rate((double)k.FunnelEntries, (double?)t.MinFunnelEntries));
        }).OrderBy(r => r.Name, StringComparer.CurrentCulture)];
    }

    public static KpiThresholds Thresholds(ConversionSettings s) =>
        new(s.MinConversionPercent / 100, s.MinAverageCheck, s.MinCoveragePercent / 100, s.MinQualityPercent / 100, s.MinFunnelEntries);

    /// <summary>The funnel of the period: outcomes recorded by sellers and interviewers (refusals counted apart).</summary>
    public static async Task<FunnelReport> FunnelAsync(OtklikDb db, ReportPeriod period, Guid? locationId, string language, CancellationToken ct)
    {
        var places = await PlacesAsync(db, period, locationId, ct);
        var settings = await SettingsAsync(db, ct);
        var ids = places.Keys.ToList();
        var entries = new List<FunnelEntry>();
        if (places.Count > 0)
        {
            var from = places.Values.Min(p => p.Start);
            var to = places.Values.Max(p => p.End);
            entries = [.. (await db.FunnelEntries.AsNoTracking().Where(f => ids.Contains(f.LocationId) && f.OccurredAt >= from && f.OccurredAt < to).ToListAsync(ct))
                .Where(f => f.OccurredAt >= places[f.LocationId].Start && f.OccurredAt < places[f.LocationId].End)];
        }
        var refused = entries.LongCount(e => e.Refused);
        var outcomes = entries.Where(e => !e.Refused).Select(e => new FunnelOutcome(e.Purchased ? null : e.Stage ?? settings.Stages.LastOrDefault()?.Key ?? "unknown", e.Reason));
        var stageKeys = settings.Stages.Count > 0 ? settings.Stages.Select(s => s.Key).ToList() : ["unknown"];
        var result = Funnel.AnalyzeOutcomes(stageKeys, outcomes);
        string StageName(string key) => settings.Stages.FirstOrDefault(s => s.Key == key)?.Name(language) ?? key;
        string ReasonName(string key) => settings.Reasons.FirstOrDefault(s => s.Key == key)?.Name(language) ?? key;
        FunnelReasonRow Reason(ReasonCount r) => new(r.Reason, ReasonName(r.Reason), r.Count);
        return new FunnelReport(period.From.ToString(), period.To.ToString(), locationId, result.Entered, result.Completed, refused,
            [.. result.Stages.Select(s => new FunnelStageRow(s.Stage, StageName(s.Stage), s.Reached, s.Exits, s.DropOffShare, [.. s.Reasons.Select(Reason)]))],
            result.BiggestDrop?.Stage, [.. result.TopReasons.Select(Reason)]);
    }

    private static async Task<Dictionary<Guid, string>> StaffNamesAsync(OtklikDb db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var list = ids.ToList();
        if (list.Count == 0) return [];
        // As in the button report: the location filter is lifted for these ids only, never the organization filter.
        var org = db.Tenant.OrganizationId;
        var system = db.Tenant.IsSystem;
        return await db.StaffMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(s => (system || s.OrganizationId == org) && list.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Name, ct);
    }
}
