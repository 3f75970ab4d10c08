using System.Globalization;
using System.Net;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Core.Rollups;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Conversion;

/// <summary>
/// Conversion from the hourly rollups equals conversion from the raw rows: random visitor counts, receipts (with resent
/// batches), sales attempts and presses over two locations in different time zones, stored through the product's own
/// write paths (device protocol, <c>POST /api/v1/sales</c>), on the real database.
/// </summary>
public abstract class ConversionRollupPropertyTests(OtklikApp app)
{
    /// <summary>A fixed local day two days back, so the test never straddles midnight in either location's zone.</summary>
    private static readonly DateOnly Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);

    private static string DayText => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record VisitSpec(int Location, int Hour, int Quarter, int In, int Out);

    private sealed record SaleSpec(int Location, int Hour, int Minute, int Cents, int Items, bool Seller, int? IntervalCount);

    private sealed record TapSpec(int Location, int Hour, int Minute, int Second, bool Red);

    private sealed record DataSpec(VisitSpec[] Visits, SaleSpec[] Sales, TapSpec[] Attempts, TapSpec[] Presses);

    private static readonly Gen<int> Loc = Gen.Int[0, 1];
    private static readonly Gen<int> Hour = Gen.Int[8, 21];

    private static readonly Gen<DataSpec> Data = Gen.Select(
        Gen.Select(Loc, Hour, Gen.Int[0, 3], Gen.Int[0, 60], Gen.Int[0, 60]).Select((l, h, q, i, o) => new VisitSpec(l, h, q, i, o)).Array[0, 25],
        Gen.Select(Loc, Hour, Gen.Int[0, 59], Gen.Int[0, 900_000], Gen.Int[0, 12], Gen.Bool, Gen.Int[-10, 15])
            .Select((l, h, m, c, it, s, n) => new SaleSpec(l, h, m, c, it, s, n < 0 ? null : n)).Array[0, 25],
        Gen.Select(Loc, Hour, Gen.Int[0, 59], Gen.Int[0, 59], Gen.Bool).Select((l, h, m, s, r) => new TapSpec(l, h, m, s, r)).Array[0, 25],
        Gen.Select(Loc, Hour, Gen.Int[0, 59], Gen.Int[0, 59], Gen.Bool).Select((l, h, m, s, r) => new TapSpec(l, h, m, s, r)).Array[0, 40])
        .Select((v, s, a, p) => new DataSpec(v, s, a, p));

    private static DateTimeOffset Local(string zoneId, int hour, int minute, int second = 0)
    {
        var local = Day.ToDateTime(new TimeOnly(hour, minute, second));
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static string Iso(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private async Task<TestDevice> DeviceAsync(HttpClient owner, Guid location, DeviceKind kind, Guid? staff)
    {
        var created = await (await owner.PostJsonAsync("/api/v1/devices", new { name = kind.ToString(), kind = kind.ToString(), locationId = location, staffMemberId = staff }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        return new TestDevice(app, created.Device.Id, created.Token);
    }

    /// <summary>Stores the data as devices and a POS would send it; every batch is sent twice (a lost acknowledgement), which must count once.</summary>
    private async Task SendAsync(Seed seed, string[] zones, DataSpec data)
    {
        using var owner = seed.Org.Owner();
        Guid[] locations = [seed.Location.Id, seed.OtherLocation.Id];
        Guid[] staff = [seed.Staff.Id, seed.OtherStaff.Id];
        for (var l = 0; l < 2; l++)
        {
            var visits = data.Visits.Where(v => v.Location == l).Select(v =>
            {
                var from = Local(zones[l], v.Hour, v.Quarter * 15);
                return $$"""{"id":"{{Guid.NewGuid()}}","type":"visitors","in":{{v.In}},"out":{{v.Out}},"from":"{{Iso(from)}}","to":"{{Iso(from.AddMinutes(15))}}"}""";
            }).ToList();
            if (visits.Count > 0)
            {
                var counter = await DeviceAsync(owner, locations[l], DeviceKind.VisitorCounter, null);
                for (var twice = 0; twice < 2; twice++) (await counter.PostAsync(TestDevice.Batch(visits))).EnsureSuccessStatusCode();
            }
            var attempts = data.Attempts.Where(a => a.Location == l)
                .Select(a => $$"""{"id":"{{Guid.NewGuid()}}","type":"sales-attempt","at":"{{Iso(Local(zones[l], a.Hour, a.Minute, a.Second))}}"}""").ToList();
            if (attempts.Count > 0)
            {
                var seller = await DeviceAsync(owner, locations[l], DeviceKind.SellerButton, staff[l]);
                for (var twice = 0; twice < 2; twice++) (await seller.PostAsync(TestDevice.Batch(attempts))).EnsureSuccessStatusCode();
            }
            var presses = data.Presses.Where(p => p.Location == l)
                .Select(p => TestDevice.Event(Guid.NewGuid(), p.Red ? "red" : "green", Local(zones[l], p.Hour, p.Minute, p.Second))).ToList();
            if (presses.Count > 0)
            {
                var button = await DeviceAsync(owner, locations[l], DeviceKind.ButtonSmart, staff[l]);
                for (var twice = 0; twice < 2; twice++) (await button.PostAsync(TestDevice.Batch(presses))).EnsureSuccessStatusCode();
            }
        }
        var sales = data.Sales.Select((s, i) =>
        {
            var at = Local(zones[s.Location], s.Hour, s.Minute);
            var revenue = s.Cents / 100m;
            Guid? seller = s.Seller ? staff[s.Location] : null;
            return s.IntervalCount is { } count
                ? (object)new { locationId = locations[s.Location], intervalId = $"I-{i}", from = at, to = at.AddMinutes(30), count, revenue, items = s.Items, staffId = seller }
                : new { locationId = locations[s.Location], receiptId = $"R-{i}", at, revenue, items = s.Items, staffId = seller };
        }).ToList();
        if (sales.Count > 0)
            for (var twice = 0; twice < 2; twice++) (await owner.PostJsonAsync("/api/v1/sales", new { sales })).EnsureSuccessStatusCode();
    }

    /// <summary>Per location and in total: the conversion row from raw rows (the report) and from the rollups, and the red rate per 100 receipts from each.</summary>
    private Task<(List<string> Raw, List<string> Rolled, List<string> Sent)> CompareAsync(Guid org, string[] zones, Guid[] locations, DataSpec data) => app.WithDbAsync(async db =>
    {
        var errors = new Errors();
        var period = ReportPeriod.Parse(DayText, DayText, DateTimeOffset.UtcNow, errors)!;
        var report = await ConversionStats.ComputeAsync(db, period, null, CancellationToken.None);
        var sources = app.Services.GetServices<IRollupSource>();
        var rawMetrics = await MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Location, MetricsSource.Raw, sources, CancellationToken.None);
        var rolledMetrics = await MetricsEngine.ComputeAsync(db, period, null, MetricsGrouping.Location, MetricsSource.Rollups, sources, CancellationToken.None);

        // The rollups of each location's local day, read whole (revenue and items too) and summed in memory.
        var rollups = await db.HourlyRollups.AsNoTracking().ToListAsync();
        BucketCounts Rolled(int l)
        {
            var start = Local(zones[l], 0, 0);
            return rollups.Where(r => r.LocationId == locations[l] && r.HourStartUtc >= start && r.HourStartUtc < start.AddDays(1))
                .Aggregate(default(BucketCounts), (acc, r) => acc.Merge(r.Counts));
        }
        static string Line(ConversionRow r, double? redRate) => string.Create(CultureInfo.InvariantCulture,
            $"{r.Key} v{r.Visitors} r{r.Receipts} {r.Revenue:0.00} i{r.Items} a{r.SalesAttempts} c{r.Conversion:R} avg{r.AverageCheck:0.00} ipr{r.ItemsPerReceipt:R} cov{r.Coverage:R} red{redRate:R}");

        var raw = new List<string>();
        var rolled = new List<string>();
        var total = default(BucketCounts);
        for (var l = 0; l < 2; l++)
        {
            var key = locations[l].ToString();
            var counts = Rolled(l);
            var revenueRounded = counts with { Revenue = decimal.Round(counts.Revenue, 2) };
            total = total.Merge(revenueRounded);
            raw.Add(Line(report.Locations.Single(r => r.Key == key), rawMetrics.Rows.Single(r => r.Key == key).RedRatePer100Receipts));
            rolled.Add(Line(ConversionRow.Of(key, "", revenueRounded), RollupMetrics.Buttons(revenueRounded).RedRatePer100Receipts));
            // The product's own rollup reading of the red rate agrees too.
            Assert.Equal(rolledMetrics.Rows.Single(r => r.Key == key).RedRatePer100Receipts, RollupMetrics.Buttons(revenueRounded).RedRatePer100Receipts);
        }
        raw.Add(Line(report.Totals, rawMetrics.Totals.RedRatePer100Receipts));
        rolled.Add(Line(ConversionRow.Of("total", "", total), RollupMetrics.Buttons(total).RedRatePer100Receipts));

        // What was sent, once each, by hand.
        var sent = new List<string>();
        for (var l = 0; l < 2; l++)
        {
            var sales = data.Sales.Where(s => s.Location == l).ToList();
            sent.Add(string.Create(CultureInfo.InvariantCulture,
                $"v{data.Visits.Where(v => v.Location == l).Sum(v => v.In)} r{sales.Sum(s => s.IntervalCount ?? 1)} {sales.Sum(s => s.Cents) / 100m:0.00} i{sales.Sum(s => s.Items)} a{data.Attempts.Count(a => a.Location == l)}"));
            sent.Add(string.Create(CultureInfo.InvariantCulture,
                $"v{Summed(l).Visitors} r{Summed(l).Receipts} {Summed(l).Revenue:0.00} i{Summed(l).Items} a{Summed(l).SalesAttempts}"));
        }
        BucketCounts Summed(int l) => Rolled(l) with { Revenue = decimal.Round(Rolled(l).Revenue, 2) };
        return (raw, rolled, sent);
    }, org);

    [Fact]
    public async Task RandomStoreData_ConversionFromRollups_EqualsConversionFromRawRows()
    {
        string[] zones = ["Europe/Moscow", "Asia/Yekaterinburg"];
        await Data.SampleAsync(async data =>
        {
            var seed = await Seed.CreateAsync(app);
            using (var owner = seed.Org.Owner())
                (await owner.PutJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}", new { name = "Other", timeZone = zones[1] })).EnsureSuccessStatusCode();
            Guid[] locations = [seed.Location.Id, seed.OtherLocation.Id];
            await SendAsync(seed, zones, data);

            var (raw, rolled, sent) = await CompareAsync(seed.Org.Id, zones, locations, data);
            Assert.Equal(raw, rolled);
            // Pairs: what was sent and what the rollups count, per location.
            Assert.Equal(sent[0], sent[1]);
            Assert.Equal(sent[2], sent[3]);

            // A rebuild from the raw rows reproduces the same conversion.
            using (var owner = seed.Org.Owner())
            {
                var from = Local(zones[1], 0, 0).AddDays(-1);
                (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from, to = from.AddDays(3) })).EnsureSuccessStatusCode();
            }
            Assert.Equal(raw, (await CompareAsync(seed.Org.Id, zones, locations, data)).Rolled);
        }, iter: 6, threads: 1);
    }
}

public sealed class ConversionRollupPropertySqliteTests(SqliteApp app) : ConversionRollupPropertyTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ConversionRollupPropertyPostgresTests(PostgresApp app) : ConversionRollupPropertyTests(app), IClassFixture<PostgresApp>;
