using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;

namespace Otklik.Web.Features.Conversion;

/// <summary>
/// The demo company's conversion days: per location and opening hour, the counter's visitors (two 30-minute intervals),
/// POS receipts (a share of the visitors), the sellers' approaches and funnel entries for some of those who left —
/// all from the same draw, so receipts and attempts never exceed visitors and the funnel's purchases match the mood of the day.
/// </summary>
public static class ConversionDemo
{
    public static async Task<int> SeedAsync(OtklikDb db, Guid org, Location[] locations, Dictionary<(Guid, DateOnly, int), Guid> onShift,
        TimeZoneInfo zone, DateOnly today, int days, Guid weakSeller, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.VisitorCounts.AnyAsync(v => v.OrganizationId == org, ct)) return 0;
        var counters = await db.Devices.Where(d => d.OrganizationId == org && d.Kind == DeviceKind.VisitorCounter)
            .ToDictionaryAsync(d => d.LocationId, d => d.Id, ct);
        var random = new Random(808);
        double[] hourVisitors = [14, 12, 8, 8, 18, 22, 12, 8, 8, 14, 16, 12, 8, 5];
        double[] conversion = [0.48, 0.42, 0.52];
        double[] coverage = [0.65, 0.55, 0.7];
        string[] stages = ["greeting", "needs", "presentation", "objections", "purchase"];
        string[] reasons = ["no-size", "price", "waiting", "assortment", "just-looking", "other"];
        var rows = 0;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            for (var day = -days; day <= 0; day++)
            {
                var date = today.AddDays(day);
                for (var i = 0; i < locations.Length; i++)
                {
                    var location = locations[i];
                    if (!counters.TryGetValue(location.Id, out var counter)) continue;
                    for (var h = 0; h < hourVisitors.Length; h++)
                    {
                        var hour = 8 + h;
                        var local = date.ToDateTime(new TimeOnly(hour, 0));
                        var start = new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
                        if (start.AddHours(1) > now) continue;
                        var staff = onShift[(location.Id, date, hour < 15 ? 0 : 1)];
                        var weak = staff == weakSeller;
                        var visitors = (int)Math.Round(hourVisitors[h] * (0.8 + 0.4 * random.NextDouble()));
                        var first = visitors / 2;
                        foreach (var (from, count) in new[] { (start, first), (start.AddMinutes(30), visitors - first) })
                            db.VisitorCounts.Add(new VisitorCount
                            {
                                OrganizationId = org, LocationId = location.Id, DeviceId = counter, EventId = Guid.NewGuid(), In = count, Out = count,
                                From = from, To = from.AddMinutes(30), ReceivedAt = from.AddMinutes(30), Channel = IngestChannel.Mqtt,
                            });
                        var attempts = Binomial(random, visitors, coverage[i] * (weak ? 0.5 : 1));
                        for (var a = 0; a < attempts; a++)
                        {
                            var at = start.AddSeconds(random.Next(3600));
                            db.SalesAttempts.Add(new SalesAttempt
                            {
                                OrganizationId = org, LocationId = location.Id, StaffMemberId = staff, EventId = Guid.NewGuid(),
                                OccurredAt = at, ReceivedAt = at, Source = AttemptSource.Console,
                            });
                        }
                        var receipts = Binomial(random, visitors, conversion[i] * (weak ? 0.75 : 1));
                        if (receipts > 0)
                        {
                            var items = receipts + Binomial(random, receipts, 0.6);
                            var kopecks = (long)receipts * random.Next(32_000, 52_000);
                            db.PosSales.Add(new PosSale
                            {
                                OrganizationId = org, LocationId = location.Id, ExternalId = $"i:demo-{location.Slug}-{start:yyyyMMddHH}",
                                From = start, To = start.AddHours(1), Receipts = receipts, RevenueMinor = kopecks, Items = items, StaffMemberId = staff, ReceivedAt = start.AddHours(1),
                            });
                        }
                        // The seller records about half of their conversations: those who bought and those who left.
                        var talked = Math.Min(attempts, visitors);
                        for (var c = 0; c < talked; c++)
                        {
                            if (random.NextDouble() > 0.5) continue;
                            var bought = random.NextDouble() < (double)receipts / Math.Max(1, visitors) * 1.3;
                            var stage = bought ? null : stages[Weighted(random, weak ? [1, 2, 3, 2, 1] : [1, 1, 3, 2, 1])];
                            var reason = bought ? null : reasons[Weighted(random, stage == "presentation" ? [4, 3, 1, 2, 1, 1] : [1, 2, 3, 1, 3, 1])];
                            db.FunnelEntries.Add(new FunnelEntry
                            {
                                OrganizationId = org, LocationId = location.Id, StaffMemberId = staff, Mode = FunnelMode.Seller,
                                Purchased = bought, Stage = stage, Reason = reason, OccurredAt = start.AddSeconds(random.Next(3600)),
                            });
                        }
                        rows++;
                    }
                }
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
        return rows;
    }

    private static int Binomial(Random random, int n, double p)
    {
        var k = 0;
        for (var i = 0; i < n; i++) if (random.NextDouble() < p) k++;
        return k;
    }

    private static int Weighted(Random random, int[] weights)
    {
        var draw = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0) return i;
        }
        return weights.Length - 1;
    }
}
