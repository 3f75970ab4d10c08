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

/// <summary>
/// Support index per location from review snapshots, POS receipts (<see cref="Otklik.Web.Features.Conversion.PosSale"/>) and, where a location has no POS data
/// in the period, customer counts entered by hand. The formula is <see cref="SupportIndex"/>'s.
/// </summary>
public static class SupportIndexData
{
    public static async Task<int> MinRatingAsync(OtklikDb db, CancellationToken ct) =>
        await db.ReviewSettings.AsNoTracking().Select(s => (int?)s.PositiveMinRating).FirstOrDefaultAsync(ct) ?? ReviewSettings.DefaultPositiveMinRating;

    public static async Task<Dictionary<Guid, LocationSupport>> ComputeAsync(OtklikDb db, IReadOnlyList<Place> places, CancellationToken ct)
    {
        var result = new Dictionary<Guid, LocationSupport>();
        if (places.Count == 0) return result;
        var ids = places.Select(p => p.Id).ToList();
        var minStart = places.Min(p => p.Start);
        var maxEnd = places.Max(p => p.End);
        var minRating = await MinRatingAsync(db, ct);

        // Snapshots inside the widest range, and per location and service the last one at or before its start.
        var inside = await db.ReviewSnapshots.AsNoTracking()
            .Where(s => ids.Contains(s.LocationId) && s.TakenAt > minStart && s.TakenAt < maxEnd).ToListAsync(ct);
        var latest = await db.ReviewSnapshots.AsNoTracking().Where(s => ids.Contains(s.LocationId) && s.TakenAt <= minStart)
            .GroupBy(s => new { s.LocationId, s.Service }).Select(g => new { g.Key.LocationId, g.Key.Service, At = g.Max(s => s.TakenAt) }).ToListAsync(ct);
        var times = latest.Select(l => l.At).Distinct().ToList();
        var wanted = latest.Select(l => (l.LocationId, l.Service, l.At)).ToHashSet();
        var before = times.Count == 0 ? [] : (await db.ReviewSnapshots.AsNoTracking()
                .Where(s => ids.Contains(s.LocationId) && times.Contains(s.TakenAt)).ToListAsync(ct))
            .Where(s => wanted.Contains((s.LocationId, s.Service, s.TakenAt))).ToList();
        var snapshots = inside.Concat(before).GroupBy(s => s.Id).Select(g => g.First())
            .OrderBy(s => s.TakenAt).ThenBy(s => s.Id).ToLookup(s => (s.LocationId, s.Service));

        // Receipts from the POS data itself (sales are not part of the hourly rollups); an interval counts where it starts.
        // One aggregate per distinct period (places in the same time zone share one), never a row per receipt.
        var receipts = new Dictionary<Guid, long>();
        foreach (var group in places.GroupBy(p => (p.Start, p.End)))
        {
            var (start, end) = group.Key;
            var groupIds = group.Select(p => p.Id).ToList();
            foreach (var r in await db.PosSales.AsNoTracking()
                         .Where(r => groupIds.Contains(r.LocationId) && r.From >= start && r.From < end)
                         .GroupBy(r => r.LocationId).Select(g => new { LocationId = g.Key, Receipts = g.Sum(r => (long)r.Receipts) })
                         .ToListAsync(ct))
                receipts[r.LocationId] = r.Receipts;
        }

        var minDate = DateOnly.FromDateTime(minStart.UtcDateTime).AddDays(-1);
        var maxDate = DateOnly.FromDateTime(maxEnd.UtcDateTime).AddDays(1);
        var counts = (await db.CustomerCounts.AsNoTracking()
            .Where(c => ids.Contains(c.LocationId) && c.From <= maxDate && c.To >= minDate).ToListAsync(ct)).ToLookup(c => c.LocationId);

        foreach (var place in places)
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
            long? posReceipts = receipts.TryGetValue(place.Id, out var n) ? n : null;
            var manual = Manual(counts[place.Id], place);
            result[place.Id] = new LocationSupport(place.Id, services, posReceipts, manual, SupportIndex.Compute(newPositive, posReceipts, manual));
        }
        return result;
    }

    /// <summary>Customers entered by hand for the place's local dates; a count overlapping part of the period takes its share of days.</summary>
    public static long? Manual(IEnumerable<CustomerCount> counts, Place place)
    {
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
