using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reviews;
using Otklik.Web.Tests.Features.Imports;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Reviews;

/// <summary>Review snapshots by hand and by import, customer counts, and the support index through the API, on the real database.</summary>
public abstract class ReviewsTests(OtklikApp app)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly D0 = Today.AddDays(-10);

    private static DateTimeOffset Noon(DateOnly d) => new(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<(TestOrg Org, HttpClient Http, LocationDto Main, LocationDto Other)> SetUpAsync()
    {
        var org = await app.NewOrganizationAsync();
        var http = org.Owner();
        var main = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main", timeZone = "Etc/UTC" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var other = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Other", timeZone = "Etc/UTC" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        return (org, http, main, other);
    }

    private static async Task SnapshotAsync(HttpClient http, Guid location, string service, DateTimeOffset at, int total, int? positive = null, int[]? histogram = null,
        double? average = null) =>
        await (await http.PostJsonAsync("/api/v1/reviews/snapshots", new
        {
            locationId = location, service, takenAt = at, totalReviews = total, positiveReviews = positive, histogram, averageRating = average,
        })).ReadAsync<SnapshotDto>(HttpStatusCode.Created);

    [Fact]
    public async Task SupportIndex_HandComputedExample_ThroughTheApi_AndInMetrics()
    {
        var (_, http, main, other) = await SetUpAsync();
        // Main, Yandex: 40 positive before the period, 56 (4 and 5 stars of the histogram) at its last snapshot inside: 16 new.
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(D0.AddDays(-2)), 50, positive: 40);
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(D0.AddDays(2)), 55, positive: 44);
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(D0.AddDays(5)), 60, histogram: [1, 1, 2, 6, 50], average: 4.7);
        // Main, 2GIS: nothing before the period, so the first snapshot inside is the baseline: 10 → 13, 3 new.
        await SnapshotAsync(http, main.Id, "TwoGis", Noon(D0.AddDays(1)), 12, positive: 10);
        await SnapshotAsync(http, main.Id, "TwoGis", Noon(D0.AddDays(6)), 15, positive: 13);
        // Main, Google: only before the period: no change, 0 new.
        await SnapshotAsync(http, main.Id, "GoogleMaps", Noon(D0.AddDays(-3)), 9, positive: 7);
        // Other, Google: 5 → 9, 4 new.
        await SnapshotAsync(http, other.Id, "GoogleMaps", Noon(D0.AddDays(-1)), 6, positive: 5);
        await SnapshotAsync(http, other.Id, "GoogleMaps", Noon(D0.AddDays(3)), 11, positive: 9);

        // Main has no POS data: 1000 customers over ten days of which five are in the period (500) + 450 inside = 950.
        (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = main.Id, from = Date(D0.AddDays(-5)), to = Date(D0.AddDays(4)), customers = 1000 }))
            .EnsureSuccessStatusCode();
        (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = main.Id, from = Date(D0.AddDays(5)), to = Date(Today), customers = 450 }))
            .EnsureSuccessStatusCode();
        // Other has POS receipts (200); its count entered by hand is not used.
        (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = other.Id, from = Date(D0), to = Date(Today), customers = 1000 })).EnsureSuccessStatusCode();
        var start = Noon(D0.AddDays(3)).AddHours(-2);
        (await http.PostJsonAsync("/api/v1/sales", new { sales = new[] { new { locationId = other.Id, intervalId = "h1", from = start, to = start.AddHours(1), count = 200, revenue = 1000m } } }))
            .EnsureSuccessStatusCode();

        var report = await (await http.GetAsync($"/api/v1/reviews/support-index?from={Date(D0)}&to={Date(Today)}")).ReadAsync<SupportIndexReport>();

        Assert.Equal(4, report.PositiveMinRating);
        var m = Assert.Single(report.Rows, r => r.LocationId == main.Id);
        Assert.Equal(["YandexMaps 40→56 +16", "TwoGis 10→13 +3", "GoogleMaps 7→7 +0"], m.Services.Select(s => $"{s.Service} {s.PositiveAtStart}→{s.PositiveAtEnd} +{s.NewPositive}"));
        Assert.Equal((19L, (long?)950, CustomerCountSource.Manual, (long?)null), (m.NewPositiveReviews, m.CustomersServed, m.Source, m.Receipts));
        Assert.Equal(0.02, m.Index!.Value, 12);
        Assert.Equal(20, m.PerThousandCustomers!.Value, 9);
        var o = Assert.Single(report.Rows, r => r.LocationId == other.Id);
        Assert.Equal((4L, (long?)200, CustomerCountSource.Receipts, (long?)1000), (o.NewPositiveReviews, o.CustomersServed, o.Source, o.ManualCustomers));
        Assert.Equal(0.02, o.Index!.Value, 12);
        Assert.Equal((23L, (long?)1150), (report.Total.NewPositiveReviews, report.Total.CustomersServed));
        Assert.Equal(0.02, report.Total.Index!.Value, 12);

        // The same numbers in /metrics, per location and in the totals.
        var metrics = await (await http.GetAsync($"/api/v1/metrics?from={Date(D0)}&to={Date(Today)}")).ReadAsync<MetricsReport>();
        var row = Assert.Single(metrics.Rows, r => r.Key == main.Id.ToString());
        Assert.Equal((19L, (long?)950, CustomerCountSource.Manual), (row.SupportIndex!.NewPositiveReviews, row.SupportIndex.CustomersServed, row.SupportIndex.Source));
        Assert.Equal(0.02, metrics.Totals.SupportIndex!.Index!.Value, 12);

        // Positive from 5 stars: Yandex's histogram gives 50, so 10 new; Main 13 / 950.
        (await http.PutJsonAsync("/api/v1/reviews/settings", new { positiveMinRating = 5 })).EnsureSuccessStatusCode();
        var strict = await (await http.GetAsync($"/api/v1/reviews/support-index?from={Date(D0)}&to={Date(Today)}&location={main.Id}")).ReadAsync<SupportIndexReport>();
        var s = Assert.Single(strict.Rows);
        Assert.Equal(13, s.NewPositiveReviews);
        Assert.Equal(13.0 / 950, s.Index!.Value, 12);
    }

    private static async Task ReceiptsAsync(HttpClient http, Guid location, string id, DateTimeOffset from, int count) =>
        (await http.PostJsonAsync("/api/v1/sales", new { sales = new[] { new { locationId = location, intervalId = id, from, to = from.AddHours(1), count, revenue = 0m } } }))
            .EnsureSuccessStatusCode();

    [Fact]
    public async Task SupportIndexTrends_InMetrics_WeekOverWeekAndYearOverYear_WithNoiseFlag()
    {
        var (_, http, main, other) = await SetUpAsync();
        // The period: 14 days F..T, so its last week is T−6..T and the week before F..T−7.
        var t = Today.AddDays(-1);
        var f = t.AddDays(-13);
        // Main, POS receipts: 1000 in each week; 2000 in the same period a year earlier.
        await ReceiptsAsync(http, main.Id, "lw", Noon(f.AddDays(2)), 1000);
        await ReceiptsAsync(http, main.Id, "tw", Noon(t.AddDays(-3)), 1000);
        await ReceiptsAsync(http, main.Id, "ly", Noon(f.AddYears(-1).AddDays(3)), 2000);
        // Main, Yandex: 100 positive before the period, 110 at the end of the week before, 140 at the end: 10 new, then 30 new.
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(f.AddDays(-1)), 120, positive: 100);
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(t.AddDays(-7)), 130, positive: 110);
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(t.AddDays(-1)), 160, positive: 140);
        // A year earlier: 50 → 88, 38 new.
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(f.AddYears(-1).AddDays(-1)), 60, positive: 50);
        await SnapshotAsync(http, main.Id, "YandexMaps", Noon(f.AddYears(-1).AddDays(5)), 100, positive: 88);
        // Other: 1400 customers counted by hand over the period (700 a week), none a year earlier, no reviews.
        (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = other.Id, from = Date(f), to = Date(t), customers = 1400 })).EnsureSuccessStatusCode();

        var metrics = await (await http.GetAsync($"/api/v1/metrics?from={Date(f)}&to={Date(t)}")).ReadAsync<MetricsReport>();

        MetricTrend Support(MetricsRow r, TrendKind kind) => Assert.Single(r.Trends, x => x.Metric == "supportIndex" && x.Kind == kind);
        var m = Assert.Single(metrics.Rows, r => r.Key == main.Id.ToString());
        Assert.Equal((40L, (long?)2000), (m.SupportIndex!.NewPositiveReviews, m.SupportIndex.CustomersServed));
        // Week over week: 30 / 1000 against 10 / 1000, z = (30 − 10) / sqrt(40) = 3.16: significant.
        var wow = Support(m, TrendKind.WeekOverWeek);
        Assert.Equal((30L, 1000L, 10L, 1000L), (wow.CurrentSuccesses, wow.CurrentTrials, wow.PreviousSuccesses, wow.PreviousTrials));
        Assert.Equal(0.02, wow.Change!.Value, 12);
        Assert.Equal(Math.Sqrt(10), wow.Z!.Value, 9);
        Assert.False(wow.WithinNoise);
        // Year over year: 40 / 2000 against 38 / 2000, z = 2 / sqrt(78) = 0.23: within noise.
        var yoy = Support(m, TrendKind.YearOverYear);
        Assert.Equal((40L, 2000L, 38L, 2000L), (yoy.CurrentSuccesses, yoy.CurrentTrials, yoy.PreviousSuccesses, yoy.PreviousTrials));
        Assert.Equal(0.001, yoy.Change!.Value, 12);
        Assert.Equal(2 / Math.Sqrt(78), yoy.Z!.Value, 9);
        Assert.True(yoy.WithinNoise);

        // Other: no reviews in either week (0 change, noise); no customers a year earlier, so no year-over-year change.
        var o = Assert.Single(metrics.Rows, r => r.Key == other.Id.ToString());
        var owow = Support(o, TrendKind.WeekOverWeek);
        Assert.Equal((0L, 700L, 0L, 700L, 0.0), (owow.CurrentSuccesses, owow.CurrentTrials, owow.PreviousSuccesses, owow.PreviousTrials, owow.Change!.Value));
        Assert.True(owow.WithinNoise);
        var oyoy = Support(o, TrendKind.YearOverYear);
        Assert.Equal((0L, 1400L, 0L, 0L), (oyoy.CurrentSuccesses, oyoy.CurrentTrials, oyoy.PreviousSuccesses, oyoy.PreviousTrials));
        Assert.Null(oyoy.Change);
        Assert.Null(oyoy.Z);
        Assert.True(oyoy.WithinNoise);

        // Totals: the locations whose customers are known; the week: 30 / 1700 against 10 / 1700, z = 20 / sqrt(40).
        var twow = Support(metrics.Totals, TrendKind.WeekOverWeek);
        Assert.Equal((30L, 1700L, 10L, 1700L), (twow.CurrentSuccesses, twow.CurrentTrials, twow.PreviousSuccesses, twow.PreviousTrials));
        Assert.Equal(Math.Sqrt(10), twow.Z!.Value, 9);
        var tyoy = Support(metrics.Totals, TrendKind.YearOverYear);
        Assert.Equal((40L, 3400L, 38L, 2000L), (tyoy.CurrentSuccesses, tyoy.CurrentTrials, tyoy.PreviousSuccesses, tyoy.PreviousTrials));

        // The CSV export carries the week-over-week change and its flag.
        var csv = (await http.GetStringAsync($"/api/v1/metrics.csv?from={Date(f)}&to={Date(t)}")).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = csv[0].TrimEnd('\r').Split(',');
        var line = csv.Single(l => l.StartsWith(main.Id.ToString(), StringComparison.Ordinal)).TrimEnd('\r').Split(',');
        Assert.Equal(("0.02", "false"), (line[Array.IndexOf(header, "supportIndexWeekOverWeek")], line[Array.IndexOf(header, "supportIndexWeekOverWeekWithinNoise")]));

        // The support index is per location: grouped by employee or day there is no support index and no supportIndex trend.
        foreach (var groupBy in new[] { "staff", "day" })
        {
            var other2 = await (await http.GetAsync($"/api/v1/metrics?from={Date(f)}&to={Date(t)}&groupBy={groupBy}")).ReadAsync<MetricsReport>();
            Assert.DoesNotContain(other2.Rows.Append(other2.Totals).SelectMany(r => r.Trends), x => x.Metric == "supportIndex");
            Assert.Contains(other2.Totals.Trends, x => x.Metric == "greenShare");
        }
    }

    [Fact]
    public async Task BadInput_Is400_AndStoresNothing_ForeignLocation_IsRefused()
    {
        var (org, http, main, _) = await SetUpAsync();
        var stranger = await SetUpAsync();
        var now = DateTimeOffset.UtcNow;
        object[] bodies =
        [
            new { service = "YandexMaps", takenAt = now, totalReviews = 1, positiveReviews = 1 },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5, positiveReviews = 6 },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5 },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5, histogram = new[] { 1, 2, 3 } },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5, histogram = new[] { 1, 1, 1, 1, 5 } },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now.AddDays(1), totalReviews = 5, positiveReviews = 1 },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = -1, positiveReviews = 0 },
            new { locationId = main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5, positiveReviews = 1, averageRating = 7 },
            new { locationId = stranger.Main.Id, service = "YandexMaps", takenAt = now, totalReviews = 5, positiveReviews = 1 },
        ];
        foreach (var body in bodies)
            await (await http.PostJsonAsync("/api/v1/reviews/snapshots", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostRawAsync("/api/v1/reviews/snapshots", """{"locationId":"x","service":"Bing"}""")).StatusCode);
        await (await http.PutJsonAsync("/api/v1/reviews/settings", new { positiveMinRating = 6 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = main.Id, from = "2026-03-10", to = "2026-03-01", customers = 10 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await http.PostJsonAsync("/api/v1/customer-counts", new { locationId = main.Id, from = "2026-03-01", to = "2026-03-10", customers = -1 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("from", (await (await http.GetAsync("/api/v1/reviews/support-index?from=2026-13-01")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/reviews/support-index?location={stranger.Main.Id}")).StatusCode);

        Assert.Equal(0, await app.WithDbAsync(db => db.ReviewSnapshots.CountAsync(), org.Id));
        Assert.Equal(0, await app.WithDbAsync(db => db.CustomerCounts.CountAsync(), org.Id));
        // A viewer reads but does not write.
        using var viewer = app.WithKey(await app.NewApiKeyAsync(org.Id, Otklik.Web.Tenancy.OtklikRole.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync("/api/v1/reviews/snapshots", new { locationId = main.Id })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/reviews/snapshots")).StatusCode);
    }

    [Fact]
    public async Task Import_CsvOfSnapshots_StoresGoodRows_ReportsBadRows_AndUndoRemovesThem()
    {
        var (org, http, main, _) = await SetUpAsync();
        var csv = "Дата;Точка;Сервис;Всего отзывов;Положительных;1 звезда;2 звезды;3 звезды;4 звезды;5 звёзд;Рейтинг\n"
            + $"{D0.AddDays(1):dd.MM.yyyy};Main;Яндекс;30;25;;;;;;4,6\n"
            + $"{D0.AddDays(2):dd.MM.yyyy} 10:00;main;2ГИС;20;;1;1;2;6;10;4,2\n"
            + $"{D0.AddDays(2):dd.MM.yyyy};Nowhere;Google;20;10;;;;;;\n"
            + $"{D0.AddDays(2):dd.MM.yyyy};Main;Google;20;30;;;;;;\n"
            + $"{D0.AddDays(2):dd.MM.yyyy};Main;Google;20;;1;1;;;;\n";

        var started = await (await http.PostAsync("/api/v1/imports", ImportsApiTests.Form(Encoding.UTF8.GetBytes(csv), "reviews.csv", kind: "reviews")))
            .ReadAsync<ImportJobDto>(HttpStatusCode.Accepted);
        var job = await ImportsApiTests.WaitAsync(http, started.Id);

        Assert.Equal((ImportStatus.Completed, 2, 3), (job.Status, job.GoodRows, job.BadRows));
        var snapshots = await (await http.GetAsync($"/api/v1/reviews/snapshots?location={main.Id}")).ReadAsync<List<SnapshotDto>>();
        Assert.Equal(["TwoGis 20 16", "YandexMaps 30 25"], snapshots.Select(s => $"{s.Service} {s.TotalReviews} {s.Positive}"));
        Assert.All(snapshots, s => Assert.Equal(SnapshotOrigin.Import, s.Origin));
        Assert.Equal(new DateTimeOffset(D0.AddDays(2).ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero), snapshots[0].TakenAt);
        Assert.Equal(4.6, snapshots[1].AverageRating);

        (await http.PostAsync($"/api/v1/imports/{started.Id}/undo", null)).EnsureSuccessStatusCode();
        Assert.Equal(0, await app.WithDbAsync(db => db.ReviewSnapshots.CountAsync(), org.Id));
    }
}

public sealed class ReviewsSqliteTests(SqliteApp app) : ReviewsTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ReviewsPostgresTests(PostgresApp app) : ReviewsTests(app), IClassFixture<PostgresApp>;
