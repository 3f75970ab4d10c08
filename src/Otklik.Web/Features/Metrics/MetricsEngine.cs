using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;

namespace Otklik.Web.Features.Metrics;

public enum MetricsGrouping
{
    Location,
    Staff,
    Day,
    Hour,
    Weekday,
}

/// <summary>Where counts come from: the hourly rollups (always, in the product) or raw events (the reference tests and the bench compare against).</summary>
public enum MetricsSource
{
    Rollups,
    Raw,
}

public sealed record MetricsCounts(long Green, long Red, long Suppressed, long Receipts, long Visitors, long FeedbackPositive, long FeedbackNeutral, long FeedbackNegative);

public sealed record ChannelHappiness(string Channel, long Positive, long Total, double? Index);

/// <summary>A change of a metric between two periods, with the core's noise flag: "greenShare" and "happiness" (proportions), and in rows
/// grouped by location "supportIndex" (successes: new positive reviews, trials: customers served, 0 when unknown).</summary>
public sealed record MetricTrend(string Metric, TrendKind Kind, long CurrentSuccesses, long CurrentTrials, long PreviousSuccesses, long PreviousTrials,
    double? Change, double? Z, bool WithinNoise);

public sealed record MetricsRow(string Key, string Label, MetricsCounts Counts, double? GreenShare, double? RedRatePer100Receipts, double? HappinessIndex,
    IReadOnlyList<ChannelHappiness> Channels, IReadOnlyList<MetricTrend> Trends)
{
    /// <summary>Support index (new positive map reviews / customers served) of a location row and of the totals; null when grouped otherwise.</summary>
    public SupportIndexResult? SupportIndex { get; init; }
}

/// <summary>The answer of <c>GET /api/v1/metrics</c>; every number through the one definition in <c>Otklik.Core</c>.</summary>
public sealed record MetricsReport(string From, string To, string GroupBy, Guid? LocationId, IReadOnlyList<MetricsRow> Rows, MetricsRow Totals);

/// <summary>
/// Summed counts of one location, employee (<see cref="Guid.Empty"/>: nobody known), UTC hour and channel; fields not asked for
/// are default. A class: a report holds thousands, and lists of them as structs (150 bytes each) land on the large-object heap.
/// </summary>
public sealed record Cell(Guid LocationId, Guid StaffKey, DateTimeOffset HourStartUtc, string Channel, BucketCounts Counts);

/// <summary>A location of the report and its period as instants on whole UTC hours (the hours that start in the period).</summary>
public sealed record Place(Guid Id, string Name, TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Metrics per location, employee, day, hour of day or weekday, computed from the rollup tiers (UTC hours, local days and
/// months of each location; per location or in total, the running totals through each local day).
/// </summary>
/// <remarks>
/// A period is each location's own: a date bound is local midnight there. Rollups resolve time to whole UTC hours, so the
/// period is the UTC hours that start in it ([first whole hour at or after from, end of the hour containing to)); for dates
/// in zones with whole-hour offsets that changes nothing, and a period of whole local days is read from the daily and
/// monthly tiers alone. Hours and weekdays are the local time at which each UTC hour starts, days the local day of
/// <see cref="Rollup.LocalDay"/>: exact for whole-hour offsets; in zones with half-hour offsets (Asia/Kolkata) an hour's
/// events are shown at the local hour in which it starts (up to 30 minutes off). The raw reference
/// (<see cref="MetricsSource.Raw"/>) buckets the same way, so both sources give the same numbers.
/// </remarks>
public static class MetricsEngine
{
    public const string NotAttributedKey = "none";
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public static async Task<List<Place>> PlacesAsync(OtklikDb db, ReportPeriod period, Guid? locationId, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking()
            .Where(l => locationId == null || l.Id == locationId)
            .Select(l => new { l.Id, l.Name, l.TimeZone })
            .ToListAsync(ct);
        // The period's instants once per time zone (most of an organization's locations share one).
        var ranges = new Dictionary<string, (TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End)>();
        return locations.Select(l =>
            {
                if (!ranges.TryGetValue(l.TimeZone, out var range))
                {
                    var zone = ButtonStats.Zone(l.TimeZone);
                    var (s, e) = period.In(zone);
                    ranges[l.TimeZone] = range = (zone, CeilHour(s), CeilHour(e));
                }
                return new Place(l.Id, l.Name, range.Zone, range.Start, range.End);
            })
            .OrderBy(p => p.Name, StringComparer.CurrentCulture).ThenBy(p => p.Id)
            .ToList();
    }

    public static DateTimeOffset CeilHour(DateTimeOffset t) => HourlyBucket.HourStart(t.AddTicks(-1)).AddHours(1);

    public static async Task<MetricsReport> ComputeAsync(OtklikDb db, ReportPeriod period, Guid? locationId, MetricsGrouping grouping,
        MetricsSource source, IEnumerable<IRollupSource> rawSources, CancellationToken ct, Guid? staffId = null)
    {
        var places = await PlacesAsync(db, period, locationId, ct);
        var dims = grouping switch
        {
            MetricsGrouping.Location => Dims.Location,
            MetricsGrouping.Staff => Dims.Staff,
            MetricsGrouping.Day => Dims.Day,
            _ => Dims.Location | Dims.Hour,
        };
        var reads = new RunningTotals.Reads();
        var cells = await CellsAsync(db, places, p => (p.Start, p.End), dims, source, rawSources, ct, staffId, reads: reads);
        // Trends: the last week of the period against the week before; the period against the same period a year earlier.
        var trendDims = grouping is MetricsGrouping.Location or MetricsGrouping.Staff ? dims : Dims.None;
        // Trends only sum their cells: the channels may come added up.
        var thisWeek = await CellsAsync(db, places, ThisWeek, trendDims, source, rawSources, ct, staffId, reads: reads, channels: false);
        var lastWeek = await CellsAsync(db, places, LastWeek, trendDims, source, rawSources, ct, staffId, reads: reads, channels: false);
        var lastYear = await CellsAsync(db, places, LastYear, trendDims, source, rawSources, ct, staffId, reads: reads, channels: false);

        var byPlace = places.ToDictionary(p => p.Id);
        var idText = places.ToDictionary(p => p.Id, p => p.Id.ToString());
        var localDay = LocalDays();
        Func<Cell, string> rowKey = grouping switch
        {
            MetricsGrouping.Location => c => idText[c.LocationId],
            MetricsGrouping.Staff => c => c.StaffKey == Guid.Empty ? NotAttributedKey : c.StaffKey.ToString(),
            MetricsGrouping.Day => c => localDay(c.HourStartUtc, byPlace[c.LocationId].Zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            MetricsGrouping.Hour => c => Local(c, byPlace).Hour.ToString(CultureInfo.InvariantCulture),
            _ => c => ButtonStats.IsoWeekday(Local(c, byPlace).DayOfWeek).ToString(CultureInfo.InvariantCulture),
        };

        var keys = grouping switch
        {
            MetricsGrouping.Location => places.Select(p => (idText[p.Id], p.Name)).ToList(),
            MetricsGrouping.Staff => await StaffKeysAsync(db, cells, ct),
            MetricsGrouping.Hour => [.. Enumerable.Range(0, 24).Select(h => (h.ToString(CultureInfo.InvariantCulture), $"{h:00}:00"))],
            MetricsGrouping.Weekday => [.. Enumerable.Range(1, 7).Select(d => (d.ToString(CultureInfo.InvariantCulture), ButtonStats.FromIso(d).ToString()))],
            _ => DayKeys(places),
        };
        var grouped = cells.ToLookup(rowKey);
        var rows = new List<MetricsRow>();
        var perRowTrends = grouping is MetricsGrouping.Location or MetricsGrouping.Staff;
        ILookup<string, Cell>? tw = null, lw = null, ly = null;
        if (perRowTrends) (tw, lw, ly) = (thisWeek.ToLookup(rowKey), lastWeek.ToLookup(rowKey), lastYear.ToLookup(rowKey));
        foreach (var (key, label) in keys)
            rows.Add(Row(key, label, grouped[key], perRowTrends ? (tw![key], lw![key], grouped[key], ly![key]) : null));
        var totals = Row("total", "Total", cells, (thisWeek, lastWeek, cells, lastYear));
        if (grouping == MetricsGrouping.Location)
        {
            var support = await Reviews.SupportIndexData.WithTrendsAsync(db, places, ct, reads);
            rows = [.. rows.Select(r => support.ByLocation[Guid.Parse(r.Key)].AddTo(r))];
            totals = support.Total.AddTo(totals);
        }
        return new MetricsReport(period.From.ToString(), period.To.ToString(), grouping.ToString().ToLowerInvariant(), locationId, rows, totals);
    }

    // The ranges every trend compares (here and for the support index): the last week of a place's period against the week
    // before, and the period against the same instants a year earlier.
    public static (DateTimeOffset Start, DateTimeOffset End) ThisWeek(Place p) => (WeekStart(p), p.End);
    public static (DateTimeOffset Start, DateTimeOffset End) LastWeek(Place p) => (WeekStart(p) - Week, WeekStart(p));
    public static (DateTimeOffset Start, DateTimeOffset End) LastYear(Place p) => (p.Start.AddYears(-1), p.End.AddYears(-1));
    private static DateTimeOffset WeekStart(Place p) => p.End - Week > p.Start ? p.End - Week : p.Start;

    /// <summary><see cref="Rollup.LocalDay"/> remembered per hour and zone: cells of many locations share their days' first hours.</summary>
    public static Func<DateTimeOffset, TimeZoneInfo, DateOnly> LocalDays()
    {
        var known = new Dictionary<(DateTimeOffset, string), DateOnly>();
        return (hour, zone) =>
        {
            if (!known.TryGetValue((hour, zone.Id), out var day)) known[(hour, zone.Id)] = day = Rollup.LocalDay(hour, zone);
            return day;
        };
    }

    private static DateTime Local(Cell c, Dictionary<Guid, Place> places) => TimeZoneInfo.ConvertTime(c.HourStartUtc, places[c.LocationId].Zone).DateTime;

    /// <summary>The metrics of a set of cells; trends when the comparison periods' cells are given.</summary>
    public static MetricsRow Row(string key, string label, IEnumerable<Cell> cells,
        (IEnumerable<Cell> ThisWeek, IEnumerable<Cell> LastWeek, IEnumerable<Cell> Period, IEnumerable<Cell> LastYear)? trends)
    {
        // One pass: the total and the sums per channel (a handful, searched in a short list; a LINQ grouping per row cost a
        // thousand-location overview a few milliseconds).
        var total = default(BucketCounts);
        var byChannel = new List<(string Channel, BucketCounts Counts)>(4);
        foreach (var c in cells)
        {
            total = total.Merge(c.Counts);
            var i = 0;
            while (i < byChannel.Count && !string.Equals(byChannel[i].Channel, c.Channel, StringComparison.Ordinal)) i++;
            if (i == byChannel.Count) byChannel.Add((c.Channel, c.Counts));
            else byChannel[i] = (c.Channel, byChannel[i].Counts.Merge(c.Counts));
        }
        var buttons = RollupMetrics.Buttons(total);
        var happiness = RollupMetrics.Happiness(byChannel);
        var channels = happiness.ByChannel.Select(kv => new ChannelHappiness(kv.Key, kv.Value.Positive, kv.Value.Total, kv.Value.Index)).ToList();
        var trendList = new List<MetricTrend>();
        if (trends is var (thisWeek, lastWeek, period, lastYear))
        {
            var (tw, lw, p, ly) = (Sum(thisWeek), Sum(lastWeek), Sum(period), Sum(lastYear));
            trendList.Add(Trend("greenShare", Trends.WeekOverWeek(RollupMetrics.GreenShare(tw), RollupMetrics.GreenShare(lw))));
            trendList.Add(Trend("greenShare", Trends.YearOverYear(RollupMetrics.GreenShare(p), RollupMetrics.GreenShare(ly))));
            trendList.Add(Trend("happiness", Trends.WeekOverWeek(RollupMetrics.Happy(tw), RollupMetrics.Happy(lw))));
            trendList.Add(Trend("happiness", Trends.YearOverYear(RollupMetrics.Happy(p), RollupMetrics.Happy(ly))));
        }
        return new MetricsRow(key, label,
            new MetricsCounts(total.Green, total.Red, total.Suppressed, total.Receipts, total.Visitors, total.FeedbackPositive, total.FeedbackNeutral, total.FeedbackNegative),
            buttons.GreenShare, buttons.RedRatePer100Receipts, happiness.Overall.Index, channels, trendList);
    }

    private static MetricTrend Trend(string metric, TrendResult t) =>
        new(metric, t.Kind, t.Current.Successes, t.Current.Trials, t.Previous.Successes, t.Previous.Trials, t.Change, t.Z, t.IsWithinNoise);

    public static BucketCounts Sum(IEnumerable<Cell> cells)
    {
        var sum = default(BucketCounts);
        foreach (var c in cells) sum = sum.Merge(c.Counts);
        return sum;
    }

    private static List<(string, string)> DayKeys(List<Place> places)
    {
        if (places.Count == 0) return [];
        var first = places.Min(p => Rollup.LocalDay(p.Start, p.Zone));
        var last = places.Max(p => Rollup.LocalDay(p.End.AddTicks(-1), p.Zone));
        var keys = new List<(string, string)>();
        for (var d = first; d <= last; d = d.AddDays(1))
        {
            var key = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            keys.Add((key, key));
        }
        return keys;
    }

    private static async Task<List<(string, string)>> StaffKeysAsync(OtklikDb db, List<Cell> cells, CancellationToken ct)
    {
        var ids = cells.Select(c => c.StaffKey).Where(k => k != Guid.Empty).Distinct().ToList();
        // Someone from another location may have covered a shift here (as in ButtonStats): the location filter is lifted
        // for these ids only, never the organization filter.
        var org = db.Tenant.OrganizationId;
        var system = db.Tenant.IsSystem;
        var names = ids.Count == 0 ? [] : await db.StaffMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(s => (system || s.OrganizationId == org) && EF.Parameter(ids).Contains(s.Id))
            .Select(s => new { s.Id, s.Name })
            .ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var keys = ids.Select(id => (Key: id.ToString(), Label: names.GetValueOrDefault(id, "?")))
            .OrderBy(k => k.Label, StringComparer.CurrentCulture).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        if (cells.Any(c => c.StaffKey == Guid.Empty)) keys.Add((NotAttributedKey, "Not attributed"));
        return keys;
    }

    [Flags]
    public enum Dims
    {
        None = 0,
        Location = 1,
        Staff = 2,
        Hour = 4,
        /// <summary>
        /// Per local day (cells carry the day's first hour; edge hours of a period not of whole days their own). Without
        /// <see cref="Location"/>, the locations of one time zone are summed and a cell names one of them for the zone.
        /// </summary>
        Day = 8,
    }

    /// <summary>
    /// Counts per requested dimensions (plus channel) of each place's range; places sharing a range and a time zone share one query.
    /// </summary>
    /// <param name="channel">Only this channel's counts (e.g. <c>""</c>: presses and sales), or every channel.</param>
    /// <param name="reads">Running totals already read for the same report (ranges sharing an end read it once).</param>
    /// <param name="channels">
    /// False when the caller only sums the cells: from the running totals, a location's channels may then come as one cell
    /// (channel <see cref="RunningTotals.AllChannels"/>).
    /// </param>
    public static async Task<List<Cell>> CellsAsync(OtklikDb db, IReadOnlyList<Place> places, Func<Place, (DateTimeOffset Start, DateTimeOffset End)> range,
        Dims dims, MetricsSource source, IEnumerable<IRollupSource> rawSources, CancellationToken ct, Guid? staffId = null, string? channel = null,
        RunningTotals.Reads? reads = null, bool channels = true)
    {
        reads ??= new RunningTotals.Reads();
        var cells = new List<Cell>();
        var parts = 0;
        // By the zone's id: TimeZoneInfo's own equality compares every adjustment rule (a thousand places took milliseconds).
        var groups = places.GroupBy(p => (Range: range(p), Zone: p.Zone.Id)).ToList();
        // PostgreSQL took 2.5 ms to plan each "= ANY" of a thousand ids: when one query covers every location the tenant sees
        // (an owner's overview), the tenant's query filter alone selects them and the tiers are read without the list. (One
        // place, a drill-down, is cheap to list; counting the locations would cost it a query.)
        var everyLocation = source == MetricsSource.Rollups && groups.Count == 1 && places.Count > 1 && places.Count == await reads.LocationCountAsync(db, ct);
        foreach (var group in groups)
        {
            var (start, end) = group.Key.Range;
            var zone = group.First().Zone;
            if (start >= end) continue;
            var ids = group.Select(p => p.Id).ToList();
            parts++;
            if (source == MetricsSource.Rollups) cells.AddRange(await FromRollupsAsync(db, ids, everyLocation, start, end, zone, dims, staffId, channel, reads, channels, ct));
            else cells.AddRange((await FromRawAsync(db, ids, start, end, dims, staffId, rawSources, ct)).Where(c => channel is null || c.Channel == channel));
        }
        // Each part's cells have distinct keys; several parts (ranges, time zones) may give the same key: merge.
        return parts > 1 ? Merge(cells) : cells;
    }

    /// <summary>Cells of the same key summed into one.</summary>
    private static List<Cell> Merge(IEnumerable<Cell> cells) =>
        [.. cells.GroupBy(c => (c.LocationId, c.StaffKey, c.HourStartUtc, c.Channel))
            .Select(g => new Cell(g.Key.LocationId, g.Key.StaffKey, g.Key.HourStartUtc, g.Key.Channel, Sum(g)))];

    private static async Task<List<Cell>> FromRollupsAsync(OtklikDb db, List<Guid> ids, bool everyLocation, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone,
        Dims dims, Guid? staffId, string? channel, RunningTotals.Reads reads, bool channels, CancellationToken ct)
    {
        var listed = everyLocation ? null : ids;
        var hourly = Scope(db.HourlyRollups, listed, staffId, channel);
        if (dims.HasFlag(Dims.Hour))
            return (await SumsAsync(hourly.Where(r => r.HourStartUtc >= start && r.HourStartUtc < end), r => new { r.LocationId, r.HourStartUtc, r.Channel }, ct))
                .Select(x => new Cell(x.Key.LocationId, Guid.Empty, x.Key.HourStartUtc, x.Key.Channel, x.Counts.ToCounts())).ToList();
        var daily = Scope(db.DailyRollups, listed, staffId, channel);
        if (dims.HasFlag(Dims.Day))
        {
            // Per local day: whole days from the daily tier, the edge hours of a period of partial days from the hourly one.
            // All locations here share the zone, hence the days: without the location dimension one of them stands for all.
            var perLocation = dims.HasFlag(Dims.Location);
            var cover = Rollup.Cover(start, end, zone, RollupTier.Day);
            // One channel per location and whole days (the overview's sparklines): from the running totals, day by day.
            if (perLocation && channel is not null && staffId is null && !db.Tenant.IsSystem && cover is [{ Tier: RollupTier.Day } whole])
                return [.. (await RunningTotals.DailyAsync(db, ids, whole.From, whole.To, zone, channel, ct, reads)).Select(d => new Cell(d.LocationId, Guid.Empty, d.Day, channel, d.Counts))];
            var zoneOf = ids[0];
            var days = new List<Cell>();
            foreach (var (tier, from, to) in cover)
                days.AddRange(tier == RollupTier.Day
                    ? (await SumsAsync(daily.Where(r => r.DayStartUtc >= from && r.DayStartUtc < to), r => new { LocationId = perLocation ? r.LocationId : zoneOf, Start = r.DayStartUtc, r.Channel }, ct))
                        .Select(x => new Cell(x.Key.LocationId, Guid.Empty, x.Key.Start, x.Key.Channel, x.Counts.ToCounts()))
                    : (await SumsAsync(hourly.Where(r => r.HourStartUtc >= from && r.HourStartUtc < to), r => new { LocationId = perLocation ? r.LocationId : zoneOf, Start = r.HourStartUtc, r.Channel }, ct))
                        .Select(x => new Cell(x.Key.LocationId, Guid.Empty, x.Key.Start, x.Key.Channel, x.Counts.ToCounts())));
            return days;
        }
        if (!dims.HasFlag(Dims.Staff) && staffId is null) return await FromRunningTotalsAsync(db, ids, everyLocation, start, end, zone, dims, hourly, channel, reads, channels, ct);
        // Per employee: each part of the range from the coarsest tier that answers it (whole months, whole days, edge hours),
        // merged into one cell per key.
        var cells = new List<Cell>();
        foreach (var (tier, from, to) in Rollup.Cover(start, end, zone))
            cells.AddRange(tier switch
            {
                RollupTier.Hour => await GroupAsync(hourly.Where(r => r.HourStartUtc >= from && r.HourStartUtc < to), dims, ct),
                RollupTier.Day => await GroupAsync(daily.Where(r => r.DayStartUtc >= from && r.DayStartUtc < to), dims, ct),
                _ => await GroupAsync(Scope(db.MonthlyRollups, listed, staffId, channel).Where(r => r.MonthStartUtc >= from && r.MonthStartUtc < to), dims, ct),
            });
        return Merge(cells);
    }

    /// <summary>
    /// Per location or in total: the range's whole local days as the difference of two running totals per location and channel,
    /// its edge hours from the hourly tier, one cell per key. Cells whose counts are all zero are left out (raw data has none).
    /// </summary>
    private static async Task<List<Cell>> FromRunningTotalsAsync(OtklikDb db, List<Guid> ids, bool everyLocation, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone,
        Dims dims, IQueryable<HourlyRollup> hourly, string? channel, RunningTotals.Reads reads, bool channels, CancellationToken ct)
    {
        var perLocation = dims.HasFlag(Dims.Location);
        // A channel filter needs the rows per channel; a caller that only sums gets one cell per location.
        var perChannel = channels || channel is not null;
        // Per location (Guid.Empty: in total), its channels' sums: a handful each, searched in a short list. A thousand locations
        // keyed by (location, channel) made a dictionary of 4,000 entries of 100-byte counts on the large-object heap per range.
        var sums = new Dictionary<Guid, List<(string Channel, BucketCounts Counts)>>();
        void Add(Guid location, string rowChannel, BucketCounts counts)
        {
            if (channel is not null && rowChannel != channel) return;
            var key = perLocation ? location : Guid.Empty;
            var name = perChannel ? rowChannel : RunningTotals.AllChannels;
            if (!sums.TryGetValue(key, out var list)) sums[key] = list = new List<(string, BucketCounts)>(4);
            for (var i = 0; i < list.Count; i++)
                if (list[i].Channel == name)
                {
                    list[i] = (name, list[i].Counts.Merge(counts));
                    return;
                }
            list.Add((name, counts));
        }
        DateTimeOffset? daysFrom = null, daysTo = null;
        foreach (var (tier, from, to) in Rollup.Cover(start, end, zone, RollupTier.Day))
        {
            if (tier == RollupTier.Hour)
                foreach (var c in await GroupAsync(hourly.Where(r => r.HourStartUtc >= from && r.HourStartUtc < to), dims, ct)) Add(c.LocationId, c.Channel, c.Counts);
            else (daysFrom, daysTo) = (daysFrom ?? from, to);
        }
        if (daysFrom is { } first && daysTo is { } last)
        {
            foreach (var r in await reads.BeforeAsync(db, ids, last, zone, perChannel, ct, everyLocation)) Add(r.LocationId, r.Channel, r.Counts);
            foreach (var r in await reads.BeforeAsync(db, ids, first, zone, perChannel, ct, everyLocation)) Add(r.LocationId, r.Channel, r.Counts.Negate());
        }
        var cells = new List<Cell>();
        foreach (var (location, list) in sums)
            foreach (var (name, counts) in list)
                if (counts != default) cells.Add(new Cell(location, Guid.Empty, default, name, counts));
        return cells;
    }

    /// <summary>The rows of the listed locations (null: every one the tenant sees), of one employee and of one channel when asked.</summary>
    private static IQueryable<T> Scope<T>(IQueryable<T> rows, List<Guid>? ids, Guid? staffId, string? channel) where T : RollupRow
    {
        var q = rows.AsNoTracking();
        if (ids is not null) q = q.Where(r => EF.Parameter(ids).Contains(r.LocationId));
        if (channel is not null) q = q.Where(r => r.Channel == channel);
        return staffId is { } only ? q.Where(r => r.StaffKey == only) : q;
    }

    /// <summary>Sums of rollup rows (of any tier) per employee, per location, or in total, each per channel.</summary>
    private static async Task<List<Cell>> GroupAsync<T>(IQueryable<T> q, Dims dims, CancellationToken ct) where T : RollupRow
    {
        if (dims.HasFlag(Dims.Staff))
            return [.. (await SumsAsync(q, r => new { r.StaffKey, r.Channel }, ct)).Select(x => new Cell(Guid.Empty, x.Key.StaffKey, default, x.Key.Channel, x.Counts.ToCounts()))];
        if (dims.HasFlag(Dims.Location))
            return [.. (await SumsAsync(q, r => new { r.LocationId, r.Channel }, ct)).Select(x => new Cell(x.Key.LocationId, Guid.Empty, default, x.Key.Channel, x.Counts.ToCounts()))];
        return [.. (await SumsAsync(q, r => r.Channel, ct)).Select(x => new Cell(Guid.Empty, Guid.Empty, default, x.Key, x.Counts.ToCounts()))];
    }

    /// <summary>The count columns summed in SQL per key. Revenue and items are not read: no metric here needs them (and SQLite cannot sum decimals in SQL).</summary>
    private static Task<List<Keyed<TKey>>> SumsAsync<T, TKey>(IQueryable<T> q, Expression<Func<T, TKey>> key, CancellationToken ct) where T : RollupRow =>
        q.GroupBy(key)
            .Select(g => new Keyed<TKey>(g.Key, new Totals(g.Sum(r => r.Green), g.Sum(r => r.Red), g.Sum(r => r.Suppressed), g.Sum(r => r.Visitors), g.Sum(r => r.Receipts),
                g.Sum(r => r.SalesAttempts), g.Sum(r => r.FeedbackPositive), g.Sum(r => r.FeedbackNeutral), g.Sum(r => r.FeedbackNegative))))
            .ToListAsync(ct);

    private sealed record Keyed<TKey>(TKey Key, Totals Counts);

    private sealed record Totals(long Green, long Red, long Suppressed, long Visitors, long Receipts, long SalesAttempts, long FeedbackPositive, long FeedbackNeutral, long FeedbackNegative)
    {
        public BucketCounts ToCounts() => new(Green, Red, Suppressed, Visitors, Receipts, 0, 0, SalesAttempts, FeedbackPositive, FeedbackNeutral, FeedbackNegative);
    }

    private static async Task<List<Cell>> FromRawAsync(OtklikDb db, List<Guid> ids, DateTimeOffset start, DateTimeOffset end, Dims dims, Guid? staffId,
        IEnumerable<IRollupSource> rawSources, CancellationToken ct)
    {
        var set = ids.ToHashSet();
        var cells = new Dictionary<(Guid, Guid, DateTimeOffset, string), BucketCounts>();
        foreach (var source in rawSources)
            await foreach (var (_, e) in source.ReadAsync(db, start, end, ct))
            {
                if (!set.Contains(e.LocationId) || (staffId is { } only && e.StaffId != only)) continue;
                var key = BucketKey.Of(e);
                var perHour = dims.HasFlag(Dims.Hour) || dims.HasFlag(Dims.Day); // days are told from the hour by Rollup.LocalDay
                var k = (dims.HasFlag(Dims.Location) || perHour ? key.LocationId : Guid.Empty,
                    dims.HasFlag(Dims.Staff) ? key.StaffId ?? Guid.Empty : Guid.Empty,
                    perHour ? key.HourStartUtc : default,
                    key.Channel);
                var counts = BucketCounts.Of(e) with { Revenue = 0, Items = 0 };
                cells[k] = cells.TryGetValue(k, out var c) ? c.Merge(counts) : counts;
            }
        return [.. cells.Select(kv => new Cell(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Value))];
    }
}
