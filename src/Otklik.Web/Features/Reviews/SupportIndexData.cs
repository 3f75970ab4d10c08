using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;

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
    /// The support index of several windows (each a list of places with their own ranges) through one read of the snapshots
    /// and customer counts over the widest range: the trends' windows share most of their queries.
    /// </summary>
    public static async Task<List<Dictionary<Guid, LocationSupport>>> ComputeWindowsAsync(OtklikDb db, IReadOnlyList<IReadOnlyList<Place>> windows, CancellationToken ct)
    {
        var results = windows.Select(_ => new Dictionary<Guid, LocationSupport>()).ToList();
        var places = windows.SelectMany(w => w).ToList();
        if (places.Count == 0) return results;
        var ids = places.Select(p => p.Id).Distinct().ToList();
        var minStart = places.Min(p => p.Start);
        var maxEnd = places.Max(p => p.End);
        var minRating = await MinRatingAsync(db, ct);
        // Every id list goes as one parameter (EF.Parameter: json_each on SQLite, an array on PostgreSQL): with 1,000 locations
        // a list of 1,000 parameters cost SQLite 5–12 ms per query, one parameter about 1 ms.

        // Snapshots inside the widest range, and per location and service the last one at or before its start.
        var inside = await db.ReviewSnapshots.AsNoTracking()
            .Where(s => EF.Parameter(ids).Contains(s.LocationId) && s.TakenAt > minStart && s.TakenAt < maxEnd).ToListAsync(ct);
        // One correlated query on the (location, service, time) index rather than a max per group and a second lookup by time.
        var before = await db.ReviewSnapshots.AsNoTracking()
            .Where(s => EF.Parameter(ids).Contains(s.LocationId) && s.TakenAt <= minStart
                        && s.TakenAt == db.ReviewSnapshots.Where(x => x.LocationId == s.LocationId && x.Service == s.Service && x.TakenAt <= minStart).Max(x => x.TakenAt))
            .ToListAsync(ct);
        var snapshots = inside.Concat(before).GroupBy(s => s.Id).Select(g => g.First())
            .OrderBy(s => s.TakenAt).ThenBy(s => s.Id).ToLookup(s => (s.LocationId, s.Service));

        // Receipts from the POS data itself (sales are not part of the hourly rollups); an interval counts where it starts.
        // One aggregate per distinct period (places in the same time zone share one), never a row per receipt.
        var receipts = new Dictionary<(DateTimeOffset, DateTimeOffset, Guid), long>();
        foreach (var group in places.GroupBy(p => (p.Start, p.End)))
        {
            var (start, end) = group.Key;
            var groupIds = group.Select(p => p.Id).Distinct().ToList();
            foreach (var r in await db.PosSales.AsNoTracking()
                         .Where(r => EF.Parameter(groupIds).Contains(r.LocationId) && r.From >= start && r.From < end)
                         .GroupBy(r => r.LocationId).Select(g => new { LocationId = g.Key, Receipts = g.Sum(r => (long)r.Receipts) })
                         .ToListAsync(ct))
                receipts[(start, end, r.LocationId)] = r.Receipts;
        }

        var minDate = DateOnly.FromDateTime(minStart.UtcDateTime).AddDays(-1);
        var maxDate = DateOnly.FromDateTime(maxEnd.UtcDateTime).AddDays(1);
        var counts = (await db.CustomerCounts.AsNoTracking()
            .Where(c => EF.Parameter(ids).Contains(c.LocationId) && c.From <= maxDate && c.To >= minDate).ToListAsync(ct)).ToLookup(c => c.LocationId);

        for (var w = 0; w < windows.Count; w++)
        {
            foreach (var place in windows[w])
            {
                var services = new List<ServiceReviews>();
                foreach (var service in Enum.GetValues<MapsService>())
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
        OtklikDb db, IReadOnlyList<Place> places, CancellationToken ct)
    {
        List<Place> At(Func<Place, (DateTimeOffset Start, DateTimeOffset End)> range) =>
            [.. places.Select(p => range(p) is var (s, e) ? p with { Start = s, End = e } : p).Where(p => p.Start < p.End)];
        // The period and its two weeks in one pass; the year before in another (one pass would read a year of snapshots between).
        var recent = await ComputeWindowsAsync(db, [places, At(MetricsEngine.ThisWeek), At(MetricsEngine.LastWeek)], ct);
        var (period, thisWeek, lastWeek) = (recent[0], recent[1], recent[2]);
        var lastYear = await ComputeAsync(db, At(MetricsEngine.LastYear), ct);
        var unknown = SupportIndex.Compute(0, null);
        SupportIndexResult Of(Dictionary<Guid, LocationSupport> d, Guid id) => d.TryGetValue(id, out var l) ? l.Result : unknown;
        var byLocation = places.ToDictionary(p => p.Id, p => new SupportPeriods(Of(period, p.Id), Of(thisWeek, p.Id), Of(lastWeek, p.Id), Of(lastYear, p.Id)));
        var total = new SupportPeriods(Total(period.Values), Total(thisWeek.Values), Total(lastWeek.Values), Total(lastYear.Values));
        return (period, byLocation, total);
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
