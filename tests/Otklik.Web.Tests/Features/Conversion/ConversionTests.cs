using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MQTTnet;
using MQTTnet.Protocol;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Conversion;

public abstract class ConversionTests(OtklikApp app)
{
    private static string Iso(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static string Visit(Guid id, int inCount, int outCount, DateTimeOffset from, DateTimeOffset to) =>
        $$"""{"id":"{{id}}","type":"visitors","in":{{inCount}},"out":{{outCount}},"from":"{{Iso(from)}}","to":"{{Iso(to)}}"}""";

    /// <summary>
    /// A fixed local day two days back: whatever the time of day the test runs (even near midnight in the organization's
    /// zone), its events are in the past, within the protocol's 90 days, and all in that one local day, which the reports ask for.
    /// </summary>
    private static readonly DateOnly Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);

    private static string DayQuery => $"from={Day:yyyy-MM-dd}&to={Day:yyyy-MM-dd}";

    /// <summary>10:00 on <see cref="Day"/> in the location's own time zone.</summary>
    private static DateTimeOffset HourAt(Seed seed, int hour = 10)
    {
        var local = Day.ToDateTime(new TimeOnly(hour, 0));
        var zone = TimeZoneInfo.FindSystemTimeZoneById(seed.Location.TimeZone);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private async Task<TestDevice> NewDeviceAsync(Seed seed, DeviceKind kind, Guid? staffId = null)
    {
        using var owner = seed.Org.Owner();
        var created = await (await owner.PostJsonAsync("/api/v1/devices", new { name = kind.ToString(), kind = kind.ToString(), locationId = seed.Location.Id, staffMemberId = staffId }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        return new TestDevice(app, created.Device.Id, created.Token);
    }

    [Fact]
    public async Task VisitorCounts_OverHttpsAndMqtt_AreStoredOnce()
    {
        var seed = await Seed.CreateAsync(app);
        var counter = await NewDeviceAsync(seed, DeviceKind.VisitorCounter);
        var from = HourAt(seed);
        var first = Visit(Guid.NewGuid(), 12, 9, from, from.AddMinutes(15));
        var second = Visit(Guid.NewGuid(), 7, 8, from.AddMinutes(15), from.AddMinutes(30));

        var http1 = await (await counter.PostAsync(first)).ReadAsync<IngestResult>(HttpStatusCode.Accepted);
        var http2 = await (await counter.PostAsync(first)).ReadAsync<IngestResult>(HttpStatusCode.Accepted);
        using (var mqtt = await counter.ConnectMqttAsync())
        {
            // The same event again over MQTT (a retry on the other channel), then a new one: each acknowledged only once durable.
            var again = await TestDevice.PublishAsync(mqtt, counter.Id, "events", first);
            var fresh = await TestDevice.PublishAsync(mqtt, counter.Id, "events", TestDevice.Batch([second, second]));
            Assert.Equal((MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.Success), (again.ReasonCode, fresh.ReasonCode));
        }

        Assert.Equal((new IngestResult(1, 0), new IngestResult(0, 1)), (http1, http2));
        var stored = await app.WithDbAsync(db => db.VisitorCounts.OrderBy(v => v.From).ToListAsync(), seed.Org.Id);
        Assert.Equal([(12, 9, IngestChannel.Http), (7, 8, IngestChannel.Mqtt)], stored.Select(v => (v.In, v.Out, v.Channel)));
        Assert.All(stored, v => Assert.Equal((seed.Location.Id, counter.Id), (v.LocationId, v.DeviceId)));
        Assert.Equal(0, await app.WithDbAsync(db => db.ButtonPresses.CountAsync(), seed.Org.Id));
    }

    [Fact]
    public async Task VisitorCounts_WithBadIntervalsOrCounts_AreRefusedWholeNamingEachEvent()
    {
        var seed = await Seed.CreateAsync(app);
        var counter = await NewDeviceAsync(seed, DeviceKind.VisitorCounter);
        var from = HourAt(seed);
        var body = TestDevice.Batch(
        [
            Visit(Guid.NewGuid(), 3, 1, from, from.AddMinutes(15)),
            Visit(Guid.NewGuid(), 3, 1, from, from),
            Visit(Guid.NewGuid(), -1, 1, from, from.AddMinutes(15)),
            Visit(Guid.NewGuid(), 3, 1, from.AddHours(-30), from),
            TestDevice.Event(Guid.NewGuid(), "green"),
        ]);

        var response = await counter.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = Seed.Parse(await response.Content.ReadAsStringAsync()).GetProperty("errors");
        Assert.Equal(["events[1].to", "events[2].in", "events[3].to", "events[4].type"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(0, await app.WithDbAsync(db => db.VisitorCounts.CountAsync(), seed.Org.Id));
    }

    [Fact]
    public async Task SalesAttempts_FromASellerButton_AreStoredOnceForItsOwner()
    {
        var seed = await Seed.CreateAsync(app);
        var button = await NewDeviceAsync(seed, DeviceKind.SellerButton, seed.Staff.Id);
        var id = Guid.NewGuid();
        var attempt = $$"""{"id":"{{id}}","type":"sales-attempt","at":"{{Iso(HourAt(seed).AddMinutes(5))}}"}""";

        (await button.PostAsync(attempt)).EnsureSuccessStatusCode();
        var again = await (await button.PostAsync(TestDevice.Batch([attempt, TestDevice.Event(Guid.NewGuid(), "green")]))).ReadAsync<IngestResult>(HttpStatusCode.Accepted);
        var refused = await (await NewDeviceAsync(seed, DeviceKind.ButtonSmart)).PostAsync(attempt);

        Assert.Equal(new IngestResult(1, 1), again);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var stored = Assert.Single(await app.WithDbAsync(db => db.SalesAttempts.ToListAsync(), seed.Org.Id));
        Assert.Equal((id, seed.Staff.Id, AttemptSource.Button), (stored.EventId, stored.StaffMemberId, stored.Source));
    }

    private object Batch(Seed seed, DateTimeOffset at) => new
    {
        sales = new object[]
        {
            new { locationId = seed.Location.Id, receiptId = "R-1", at, revenue = 499.50m, items = 1, staffId = seed.Staff.Id },
            new { locationId = seed.Location.Id, intervalId = "Z-2026-11-27-10", from = at, to = at.AddHours(1), count = 10, revenue = 15000.50m, items = 25 },
        },
    };

    [Fact]
    public async Task PosBatch_SentTwice_CountsOnce()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var at = HourAt(seed);

        var first = await (await owner.PostJsonAsync("/api/v1/sales", Batch(seed, at))).ReadAsync<SalesResult>();
        var second = await (await owner.PostJsonAsync("/api/v1/sales", Batch(seed, at))).ReadAsync<SalesResult>();

        Assert.Equal((new SalesResult(2, 0), new SalesResult(0, 2)), (first, second));
        var sales = await app.WithDbAsync(db => db.PosSales.OrderBy(s => s.ExternalId).ToListAsync(), seed.Org.Id);
        Assert.Equal([("i:Z-2026-11-27-10", 10, 1500050L, 25, (Guid?)null), ("r:R-1", 1, 49950L, 1, seed.Staff.Id)],
            sales.Select(s => (s.ExternalId, s.Receipts, s.RevenueMinor, s.Items, s.StaffMemberId)));
    }

    [Fact]
    public async Task PosBatch_WithBadRows_IsRefusedWholeNamingEachRowAndField()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var at = HourAt(seed);
        var body = new
        {
            sales = new object[]
            {
                new { locationId = seed.Location.Id, receiptId = "ok-1", at, revenue = 100m, items = 1 },
                new { locationId = seed.Location.Id, receiptId = "bad-money", at, revenue = -5m, items = 1 },
                new { locationId = seed.Location.Id, intervalId = "bad-interval", from = at, to = at, count = 3, revenue = 10m },
                new { locationId = Guid.NewGuid(), receiptId = "x", intervalId = "y", at, revenue = 1m, employeeCode = "nobody" },
            },
        };

        var response = await owner.PostJsonAsync("/api/v1/sales", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = Seed.Parse(await response.Content.ReadAsStringAsync()).GetProperty("errors");
        Assert.Equal(["sales[1].revenue", "sales[2].to", "sales[3].employeeCode", "sales[3].locationId", "sales[3].receiptId"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0, await app.WithDbAsync(db => db.PosSales.CountAsync(), seed.Org.Id));
    }

    [Fact]
    public async Task ConversionReport_HandComputedDay_MatchesAndTheKpiMatrixAgrees()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var counter = await NewDeviceAsync(seed, DeviceKind.VisitorCounter);
        var button = await NewDeviceAsync(seed, DeviceKind.SellerButton, seed.Staff.Id);
        var at = HourAt(seed);
        // Anna is on shift for the hour: the 40 visitors are hers too.
        (await owner.PostJsonAsync("/api/v1/shifts", new { staffMemberId = seed.Staff.Id, locationId = seed.Location.Id, startsAt = at.AddMinutes(-1), endsAt = at.AddMinutes(61) }))
            .EnsureSuccessStatusCode();
        (await counter.PostAsync(TestDevice.Batch([Visit(Guid.NewGuid(), 25, 20, at, at.AddMinutes(30)), Visit(Guid.NewGuid(), 15, 18, at.AddMinutes(30), at.AddMinutes(60))])))
            .EnsureSuccessStatusCode();
        (await owner.PostJsonAsync("/api/v1/sales", Batch(seed, at))).EnsureSuccessStatusCode();
        var attempts = Enumerable.Range(0, 4).Select(i => $$"""{"id":"{{Guid.NewGuid()}}","type":"sales-attempt","at":"{{Iso(at.AddMinutes(5 + i))}}"}""");
        (await button.PostAsync(TestDevice.Batch([.. attempts, TestDevice.Event(Guid.NewGuid(), "green", at.AddMinutes(20)), TestDevice.Event(Guid.NewGuid(), "red", at.AddMinutes(40))])))
            .EnsureSuccessStatusCode();

        var report = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/conversion?locationId={seed.Location.Id}&{DayQuery}")).Content.ReadAsStringAsync());
        var kpis = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/kpis?locationId={seed.Location.Id}&{DayQuery}")).Content.ReadAsStringAsync());
        var csv = await (await owner.GetAsync($"/api/v1/reports/conversion.csv?locationId={seed.Location.Id}&{DayQuery}")).Content.ReadAsStringAsync();

        // 40 visitors, 11 receipts (1 + 10) for 15 500.00 with 26 items, 4 approaches.
        var t = report.GetProperty("totals");
        Assert.Equal((40, 11, 15500.00m, 26, 4), (t.GetProperty("visitors").GetInt64(), t.GetProperty("receipts").GetInt64(), t.GetProperty("revenue").GetDecimal(),
            t.GetProperty("items").GetInt64(), t.GetProperty("salesAttempts").GetInt64()));
        Assert.Equal(0.275, t.GetProperty("conversion").GetDouble(), 10);
        Assert.Equal(1409.09m, t.GetProperty("averageCheck").GetDecimal());
        Assert.Equal(0.1, t.GetProperty("coverage").GetDouble(), 10);
        var anna = Assert.Single(kpis.EnumerateArray());
        // Anna: the 40 visitors of her shift, her 1 receipt for 499.50, her 4 approaches, 1 green and 1 red press.
        Assert.Equal((40, 1, 4, 0.025, 0.1, 0.5), (anna.GetProperty("visitors").GetInt64(), anna.GetProperty("receipts").GetInt64(), anna.GetProperty("salesAttempts").GetInt64(),
            anna.GetProperty("conversion").GetDouble(), anna.GetProperty("coverage").GetDouble(), anna.GetProperty("quality").GetDouble()));
        Assert.Equal(("Below", "Below", "Below"), (anna.GetProperty("conversionRating").GetString(), anna.GetProperty("coverageRating").GetString(), anna.GetProperty("qualityRating").GetString()));
        Assert.Contains("total,total,Total,40,11,15500.00,26,4,0.275,1409.09", csv, StringComparison.Ordinal);

        // The dashboards' hourly rollups counted the same day as it arrived, and a rebuild from the raw rows agrees.
        Task<(long, long, decimal, long, long)> RolledAsync() => app.WithDbAsync(async db =>
        {
            var rows = await db.HourlyRollups.AsNoTracking().ToListAsync();
            return (rows.Sum(r => r.Visitors), rows.Sum(r => r.Receipts), rows.Sum(r => r.Revenue), rows.Sum(r => r.Items), rows.Sum(r => r.SalesAttempts));
        }, seed.Org.Id);
        Assert.Equal((40L, 11L, 15500.00m, 26L, 4L), await RolledAsync());
        (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from = at.AddHours(-2), to = at.AddHours(3) })).EnsureSuccessStatusCode();
        Assert.Equal((40L, 11L, 15500.00m, 26L, 4L), await RolledAsync());
    }

    [Fact]
    public async Task FunnelReport_HandComputed_FindsTheBiggestDropAndTopReasons()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var at = HourAt(seed, 15);
        (string? Stage, string? Reason, bool Bought, bool Refused)[] outcomes =
        [
            (null, null, true, false), (null, null, true, false), (null, null, true, false),
            ("greeting", "just-looking", false, false),
            ("presentation", "price", false, false), ("presentation", "price", false, false), ("presentation", "no-size", false, false),
            (null, null, false, true),
        ];
        await app.WithDbAsync(async db =>
        {
            foreach (var o in outcomes)
                db.FunnelEntries.Add(new FunnelEntry { LocationId = seed.Location.Id, Stage = o.Stage, Reason = o.Reason, Purchased = o.Bought, Refused = o.Refused, OccurredAt = at });
            await db.SaveChangesAsync();
        }, seed.Org.Id);

        var funnel = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/funnel?lang=ru&{DayQuery}")).Content.ReadAsStringAsync());

        Assert.Equal((7, 3, 1), (funnel.GetProperty("entered").GetInt64(), funnel.GetProperty("purchased").GetInt64(), funnel.GetProperty("refused").GetInt64()));
        var stages = funnel.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal([7L, 6, 6, 3, 3], stages.Select(s => s.GetProperty("reached").GetInt64()));
        Assert.Equal("Презентация", stages[2].GetProperty("name").GetString());
        Assert.Equal(0.5, stages[2].GetProperty("dropOffShare").GetDouble());
        Assert.Equal("presentation", funnel.GetProperty("biggestDropStage").GetString());
        Assert.Equal(["price:2", "no-size:1"], funnel.GetProperty("topReasons").EnumerateArray().Select(r => $"{r.GetProperty("key").GetString()}:{r.GetProperty("count").GetInt64()}"));
    }

    [Fact]
    public async Task Settings_AreStoredPerOrganization_AndBadOnesRefused()
    {
        var seed = await Seed.CreateAsync(app);
        var other = await app.NewOrganizationAsync();
        using var owner = seed.Org.Owner();
        var input = new
        {
            stages = new[] { new { key = "hello", nameRu = "Привет", nameEn = "Hello" }, new { key = "fit", nameRu = "Примерка", nameEn = "Fitting" } },
            reasons = new[] { new { key = "price", nameRu = "Цена", nameEn = "Price" } },
            minConversionPercent = 25.0, minAverageCheck = 1200m, minCoveragePercent = 60.0, minQualityPercent = 85.0, minFunnelEntries = 5,
        };

        (await owner.PutJsonAsync("/api/v1/conversion/settings", input)).EnsureSuccessStatusCode();
        var again = await owner.PutJsonAsync("/api/v1/conversion/settings", input);
        var dup = await owner.PutJsonAsync("/api/v1/conversion/settings", new { stages = new[] { input.stages[0], input.stages[0] }, reasons = input.reasons, minConversionPercent = 200.0 });

        var mine = await (await owner.GetAsync("/api/v1/conversion/settings")).ReadAsync<ConversionSettingsDto>();
        using var otherOwner = other.Owner();
        var theirs = await (await otherOwner.GetAsync("/api/v1/conversion/settings")).ReadAsync<ConversionSettingsDto>();
        Assert.Equal(["hello", "fit"], mine.Stages.Select(s => s.Key));
        Assert.Equal((25.0, 1200m), (mine.MinConversionPercent, mine.MinAverageCheck));
        Assert.Equal(ConversionSettings.DefaultStages.Select(s => s.Key), theirs.Stages.Select(s => s.Key));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, dup.StatusCode);
        var errors = Seed.Parse(await dup.Content.ReadAsStringAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("stages[1].key", out _) && errors.TryGetProperty("minConversionPercent", out _), errors.ToString());
    }
}

public sealed class ConversionSqliteTests(SqliteApp app) : ConversionTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ConversionPostgresTests(PostgresApp app) : ConversionTests(app), IClassFixture<PostgresApp>;
