using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reviews;

/// <summary>New positive reviews on one maps service in a period: the positive count of the last snapshot before the period (or, when
/// there is none, the first one inside it) against the last one inside it.</summary>
public sealed record ServiceReviews(MapsService Service, long? PositiveAtStart, long? PositiveAtEnd, long NewPositive);

/// <summary>The support index of one location, with everything it was computed from.</summary>
public sealed record LocationSupport(Guid LocationId, IReadOnlyList<ServiceReviews> Services, long? Receipts, long? ManualCustomers, SupportIndexResult Result);

/// <summary>The support index of a period and of the periods its trends compare with: the last 7 days of the period against the 7
/// before (<see cref="MetricsEngine"/>'s week-over-week) and the period against the same period a year earlier.</summary>
public sealed record SupportPeriods(SupportIndexResult Period, SupportIndexResult ThisWeek, SupportIndexResult LastWeek, SupportIndexResult LastYear)
{
    public SupportIndexTrend WeekOverWeek => SupportIndex.WeekOverWeek(ThisWeek, LastWeek);
    public SupportIndexTrend YearOverYear => SupportIndex.YearOverYear(Period, LastYear);

    /// <summary>The trends as <see cref="MetricsRow.Trends"/> entries of metric "supportIndex": successes are new positive reviews, trials the
    /// customers served (0 when unknown), the change in reviews per customer.</summary>
    public IEnumerable<MetricTrend> MetricTrends => [Metric(WeekOverWeek), Metric(YearOverYear)];

    /// <summary>The row with this support index and its trends added.</summary>
    public MetricsRow AddTo(MetricsRow row) => row with { SupportIndex = Period, Trends = [.. row.Trends, .. MetricTrends] };

    private static MetricTrend Metric(SupportIndexTrend t) => new(MetricName, t.Kind, t.Current.NewPositiveReviews, t.Current.CustomersServed ?? 0,
        t.Previous.NewPositiveReviews, t.Previous.CustomersServed ?? 0, t.Change, t.Z, t.IsWithinNoise);

    public const string MetricName = "supportIndex";
}

/// <summary>
/// Support index per location from review snapshots, POS receipts (<see cref="Otklik.Web.Features.Conversion.PosSale"/>) and, where a location has no POS data
/// in the period, customer counts entered by hand. The formula is <see cref="SupportIndex"/>'s.
/// </summary>
public static class SupportIndexData
{
    public static async Task<int> MinRatingAsync(OtklikDb db, CancellationToken ct) =>
        await db.ReviewSettings.AsNoTracking().Select(s => (int?)s.PositiveMinRating).FirstOrDefaultAsync(ct) ?? ReviewSettings.DefaultPositiveMinRating;

    public static async Task<Dictionary<Guid, LocationSupport>> ComputeAsync(OtklikDb db, IReadOnlyList<Place> places, CancellationToken ct) =>
        (await ComputeWindowsAsync(db, [places], ct))[0];

    /// <summary>
    /// The support index of several windows (each a list of places with their own ranges) in four queries however many windows:
    /// the review settings, the snapshots, the POS receipts and the customer counts.
    /// </summary>
    /// <param name="reads">The report's running-total reads, whose count of the tenant's locations is reused (null: counted here).</param>
    public static async Task<List<Dictionary<Guid, LocationSupport>>> ComputeWindowsAsync(OtklikDb db, IReadOnlyList<IReadOnlyList<Place>> windows, CancellationToken ct,
        RunningTotals.Reads? reads = null)
    {
        var results = windows.Select(_ => new Dictionary<Guid, LocationSupport>()).ToList();
        var places = windows.SelectMany(w => w).ToList();
        if (places.Count == 0) return results;
        var ids = places.Select(p => p.Id).Distinct().ToList();
        var minRating = await MinRatingAsync(db, ct);
        // The id list goes as one parameter (EF.Parameter: json_each on SQLite, an array on PostgreSQL): with 1,000 locations
        // a list of 1,000 parameters cost SQLite 5–12 ms per query, one parameter about 1 ms. PostgreSQL still took 2.5 ms to
        // plan each "= ANY" of a thousand ids (one per part of each statement below): when the places are every location the tenant sees (an
        // owner's overview), its query filter alone selects them and no list is sent.
        var everyLocation = ids.Count > 1 && ids.Count == await (reads ?? new RunningTotals.Reads()).LocationCountAsync(db, ct);
        IQueryable<T> Ours<T>(IQueryable<T> rows) where T : class, ILocationOwned =>
            everyLocation ? rows.AsNoTracking() : rows.AsNoTracking().Where(r => EF.Parameter(ids).Contains(r.LocationId));

        // Snapshots of each stretch of overlapping ranges (a period and its weeks are one stretch, the year before another: read
        // as one they would bring a year of snapshots between): those inside it and, per location and service, the last one at or
        // before its start (one correlated query on the (location, service, time) index rather than a max per group and a second
        // lookup by time). One statement for all.
        IQueryable<ReviewSnapshot>? snapshotQuery = null;
        foreach (var (from, to) in Stretches(places.Select(p => (p.Start, p.End))))
        {
            var part = Ours(db.ReviewSnapshots)
                .Where(s => s.TakenAt > from && s.TakenAt < to)
                .Concat(Ours(db.ReviewSnapshots)
                    .Where(s => s.TakenAt <= from
                                && s.TakenAt == db.ReviewSnapshots.Where(x => x.LocationId == s.LocationId && x.Service == s.Service && x.TakenAt <= from).Max(x => x.TakenAt)));
            snapshotQuery = snapshotQuery is null ? part : snapshotQuery.Concat(part);
        }
        var snapshots = (await snapshotQuery!.ToListAsync(ct)).GroupBy(s => s.Id).Select(g => g.First())
            .OrderBy(s => s.TakenAt).ThenBy(s => s.Id).ToLookup(s => (s.LocationId, s.Service));

        // Receipts from the POS data itself (sales are not part of the hourly rollups); an interval counts where it starts.
        // One aggregate per distinct period (places in the same time zone share one), never a row per receipt; all in one statement.
        var periods = places.Select(p => (p.Start, p.End)).Distinct().ToList();
        IQueryable<PeriodReceipts>? receiptQuery = null;
        for (var i = 0; i < periods.Count; i++)
        {
            var (start, end) = periods[i];
            var index = i;
            // The locations of every place, not only of this period's: each place looks its receipts up under its own period.
            var part = Ours(db.PosSales)
                .Where(r => r.From >= start && r.From < end)
                .GroupBy(r => r.LocationId).Select(g => new PeriodReceipts { Period = index, LocationId = g.Key, Receipts = g.Sum(r => (long)r.Receipts) });
            receiptQuery = receiptQuery is null ? part : receiptQuery.Concat(part);
        }
        var receipts = (await receiptQuery!.ToListAsync(ct)).ToDictionary(r => (periods[r.Period].Start, periods[r.Period].End, r.LocationId), r => r.Receipts);

        var minDate = DateOnly.FromDateTime(places.Min(p => p.Start).UtcDateTime).AddDays(-1);
        var maxDate = DateOnly.FromDateTime(places.Max(p => p.End).UtcDateTime).AddDays(1);
        var counts = (await Ours(db.CustomerCounts)
            .Where(c => c.From <= maxDate && c.To >= minDate).ToListAsync(ct)).ToLookup(c => c.LocationId);

        var reviewed = snapshots.Select(g => g.Key.LocationId).ToHashSet();
        var allServices = Enum.GetValues<MapsService>();
        for (var w = 0; w < windows.Count; w++)
        {
            foreach (var place in windows[w])
            {
                var services = new List<ServiceReviews>();
                foreach (var service in reviewed.Contains(place.Id) ? allServices : [])
                {
                    var list = snapshots[(place.Id, service)].ToList();
                    var start = list.LastOrDefault(s => s.TakenAt <= place.Start) ?? list.FirstOrDefault(s => s.TakenAt > place.Start && s.TakenAt < place.End);
                    var end = list.LastOrDefault(s => s.TakenAt < place.End);
                    if (start is null || end is null) continue;
                    var (a, b) = (start.Positive(minRating), end.Positive(minRating));
                    services.Add(new ServiceReviews(service, a, b, SupportIndex.NewReviewsBetween(a, b)));
                }
                var newPositive = services.Sum(s => s.NewPositive);
                long? posReceipts = receipts.TryGetValue((place.Start, place.End, place.Id), out var n) ? n : null;
                var manual = Manual(counts[place.Id], place);
                results[w][place.Id] = new LocationSupport(place.Id, services, posReceipts, manual, SupportIndex.Compute(newPositive, posReceipts, manual));
            }
        }
        return results;
    }

    /// <summary>
    /// The support index of each place and of all together in its period and in the periods the trends compare with, each range
    /// shifted by <see cref="MetricsEngine"/>'s trend ranges, as for the other metrics' trends.
    /// </summary>
    public static async Task<(Dictionary<Guid, LocationSupport> Period, Dictionary<Guid, SupportPeriods> ByLocation, SupportPeriods Total)> WithTrendsAsync(
        OtklikDb db, IReadOnlyList<Place> places, CancellationToken ct, RunningTotals.Reads? reads = null)
    {
        List<Place> At(Func<Place, (DateTimeOffset Start, DateTimeOffset End)> range) =>
            [.. places.Select(p => range(p) is var (s, e) ? p with { Start = s, End = e } : p).Where(p => p.Start < p.End)];
        var windows = await ComputeWindowsAsync(db, [places, At(MetricsEngine.ThisWeek), At(MetricsEngine.LastWeek), At(MetricsEngine.LastYear)], ct, reads);
        var (period, thisWeek, lastWeek, lastYear) = (windows[0], windows[1], windows[2], windows[3]);
        var unknown = SupportIndex.Compute(0, null);
        SupportIndexResult Of(Dictionary<Guid, LocationSupport> d, Guid id) => d.TryGetValue(id, out var l) ? l.Result : unknown;
        var byLocation = places.ToDictionary(p => p.Id, p => new SupportPeriods(Of(period, p.Id), Of(thisWeek, p.Id), Of(lastWeek, p.Id), Of(lastYear, p.Id)));
        var total = new SupportPeriods(Total(period.Values), Total(thisWeek.Values), Total(lastWeek.Values), Total(lastYear.Values));
        return (period, byLocation, total);
    }

    /// <summary>Receipts of a location in one of the distinct periods (by index). Set by member, not by constructor: EF translates a union of those.</summary>
    private sealed class PeriodReceipts
    {
        public int Period { get; init; }
        public Guid LocationId { get; init; }
        public long Receipts { get; init; }
    }

    /// <summary>The ranges merged where they overlap or touch, in order.</summary>
    private static List<(DateTimeOffset From, DateTimeOffset To)> Stretches(IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> ranges)
    {
        var stretches = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var (start, end) in ranges.OrderBy(r => r.Start))
        {
            if (stretches.Count > 0 && start <= stretches[^1].To) stretches[^1] = (stretches[^1].From, end > stretches[^1].To ? end : stretches[^1].To);
            else stretches.Add((start, end));
        }
        return stretches;
    }

    /// <summary>Customers entered by hand for the place's local dates; a count overlapping part of the period takes its share of days.</summary>
    public static long? Manual(IEnumerable<CustomerCount> counts, Place place)
    {
        if (!counts.Any()) return null;
        var from = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(place.Start, place.Zone).DateTime);
        var to = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(place.End.AddTicks(-1), place.Zone).DateTime);
        long? total = null;
        foreach (var c in counts)
        {
            var overlapFrom = c.From > from ? c.From : from;
            var overlapTo = c.To < to ? c.To : to;
            if (overlapTo < overlapFrom) continue;
            var days = c.To.DayNumber - c.From.DayNumber + 1;
            var overlap = overlapTo.DayNumber - overlapFrom.DayNumber + 1;
            total = (total ?? 0) + (overlap == days ? c.Customers : (long)Math.Round((double)c.Customers * overlap / days, MidpointRounding.AwayFromZero));
        }
        return total;
    }

    /// <summary>The support index over several locations: reviews and customers of the locations whose customers are known.</summary>
    public static SupportIndexResult Total(IEnumerable<LocationSupport> locations)
    {
        var known = locations.Where(l => l.Result.CustomersServed is not null).ToList();
        var reviews = known.Sum(l => l.Result.NewPositiveReviews);
        var customers = known.Sum(l => l.Result.CustomersServed!.Value);
        if (known.Count == 0) return SupportIndex.Compute(locations.Sum(l => l.Result.NewPositiveReviews), null);
        return known.All(l => l.Result.Source == CustomerCountSource.Receipts)
            ? SupportIndex.Compute(reviews, customers)
            : SupportIndex.Compute(reviews, null, customers);
    }
}
