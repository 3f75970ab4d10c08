using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Simulation;
using Otklik.Devices.Simulator.Transport;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Devices;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Conversion;

/// <summary>
/// The issue's "done when": the simulator plays a store's day against a real Otklik (a visitor counter over MQTT, a seller's
/// activity button and a loyalty button over HTTPS), the POS posts the day's receipts and the seller records funnel exits;
/// conversion, average check, the KPI matrix, the funnel report and the red rate agree with each other and with what was sent.
/// </summary>
public abstract class StoreDayTests(OtklikApp app)
{
    /// <summary>A fixed local day two days back: never in the future, never across midnight in the store's zone.</summary>
    private static readonly DateOnly Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);

    private static string DayQuery => $"from={Day:yyyy-MM-dd}&to={Day:yyyy-MM-dd}";

    private static DateTimeOffset Local(TimeZoneInfo zone, int hour, int minute = 0)
    {
        var local = Day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static async Task<DeviceCredentials> DeviceAsync(HttpClient owner, Guid location, DeviceKind kind, Guid? staff)
    {
        var created = await (await owner.PostJsonAsync("/api/v1/devices", new { name = kind.ToString(), kind = kind.ToString(), locationId = location, staffMemberId = staff }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        return new DeviceCredentials(created.Device.Id.ToString(), created.Token);
    }

    private static JsonElement Hour(JsonElement report, int hour) =>
        report.GetProperty("hours").EnumerateArray().Single(h => h.GetProperty("key").GetString() == hour.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task ASimulatedStoreDay_ShowsUpConsistentlyInConversionKpisFunnelAndRedRate()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(seed.Location.TimeZone);
        var anna = seed.Staff.Id;
        // Anna is on the floor from opening (10:00) to 13:00: the day's visitors are hers too.
        (await owner.PostJsonAsync("/api/v1/shifts", new { staffMemberId = anna, locationId = seed.Location.Id, startsAt = Local(zone, 10), endsAt = Local(zone, 13) }))
            .EnsureSuccessStatusCode();
        var counter = await DeviceAsync(owner, seed.Location.Id, DeviceKind.VisitorCounter, null);
        var sellerButton = await DeviceAsync(owner, seed.Location.Id, DeviceKind.SellerButton, anna);
        var loyalty = await DeviceAsync(owner, seed.Location.Id, DeviceKind.ButtonSmart, anna);

        // The simulator plays 10:00–13:00: 20, 30 and 50 visitors; Anna's 4, 6 and 10 approaches; her button's 3+1, 4+0 and 2+2 green+red presses.
        using var http = HttpDeviceClient.CreateHttpClient(4);
        var options = new StoreDayOptions
        {
            Date = Day, Zone = zone, OpenHour = 10, CloseHour = 13, VisitorsPerHour = [20, 30, 50], AttemptsPerHour = [4, 6, 10],
            PressesPerHour = [(3, 1), (4, 0), (2, 2)], Seed = 7,
        };
        await using var counterClient = new MqttDeviceClient(MqttEndpoint.Parse($"localhost:{app.MqttPort}"), counter, new MqttDeviceOptions { StatusEvery = TimeSpan.Zero });
        await using var sellerClient = new HttpDeviceClient(http, app.BaseAddress, sellerButton);
        await using var loyaltyClient = new HttpDeviceClient(http, app.BaseAddress, loyalty);
        var summary = await new StoreDay(options, new StoreDevices([counterClient], [sellerClient], [loyaltyClient])).RunAsync();

        Assert.Equal((100, 20, 9, 3, 0L, 35L, 0), (summary.VisitorsIn, summary.SalesAttempts, summary.Green, summary.Red, summary.Failed, summary.Acknowledged, summary.SkippedHours));

        // The POS: 4 receipts at 10 (2 by Anna), a Z report of 6 receipts for 11:00–12:00, 2 receipts at 12 (both Anna's). Sent twice: counted once.
        object Receipt(string id, int hour, int minute, decimal revenue, int items, Guid? staffId) =>
            new { locationId = seed.Location.Id, receiptId = id, at = Local(zone, hour, minute), revenue, items, staffId };
        var sales = new
        {
            sales = new[]
            {
                Receipt("R-1", 10, 5, 1000.00m, 2, anna), Receipt("R-2", 10, 20, 500.00m, 1, anna), Receipt("R-3", 10, 35, 1500.00m, 3, null), Receipt("R-4", 10, 50, 1000.00m, 2, null),
                new { locationId = seed.Location.Id, intervalId = "Z-11", from = Local(zone, 11), to = Local(zone, 12), count = 6, revenue = 6000.00m, items = 12 },
                Receipt("R-5", 12, 10, 2000.00m, 4, anna), Receipt("R-6", 12, 40, 1000.00m, 1, anna),
            },
        };
        (await owner.PostJsonAsync("/api/v1/sales", sales)).EnsureSuccessStatusCode();
        Assert.Equal(new SalesResult(0, 7), await (await owner.PostJsonAsync("/api/v1/sales", sales)).ReadAsync<SalesResult>());

        // Anna's seller console: one sale and three exits (needs: no size; presentation: price, twice).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Otklik.Web.Tenancy.TenantContext>().SetOrganization(seed.Org.Id);
            var db = scope.ServiceProvider.GetRequiredService<Otklik.Web.Data.OtklikDb>();
            var live = scope.ServiceProvider.GetRequiredService<ConversionLive>();
            (bool Bought, string? Stage, string? Reason)[] outcomes = [(true, null, null), (false, "needs", "no-size"), (false, "presentation", "price"), (false, "presentation", "price")];
            foreach (var (o, i) in outcomes.Select((o, i) => (o, i)))
                await FunnelConsole.RecordAsync(db, live, new FunnelEntry
                {
                    LocationId = seed.Location.Id, StaffMemberId = anna, Mode = FunnelMode.Seller, Purchased = o.Bought, Stage = o.Stage, Reason = o.Reason,
                    OccurredAt = Local(zone, 12, 10 * i),
                }, CancellationToken.None);
        }

        var report = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/conversion?locationId={seed.Location.Id}&{DayQuery}")).Content.ReadAsStringAsync());
        var kpis = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/kpis?locationId={seed.Location.Id}&{DayQuery}")).Content.ReadAsStringAsync());
        var funnel = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/funnel?locationId={seed.Location.Id}&lang=en&{DayQuery}")).Content.ReadAsStringAsync());
        var metrics = Seed.Parse(await (await owner.GetAsync($"/api/v1/metrics?location={seed.Location.Id}&groupBy=location&{DayQuery}")).Content.ReadAsStringAsync());

        // Conversion: 100 visitors, 12 receipts (4 + 6 + 2) for 13 000.00 with 25 items, 20 approaches.
        var t = report.GetProperty("totals");
        Assert.Equal((100L, 12L, 13000.00m, 25L, 20L), (t.GetProperty("visitors").GetInt64(), t.GetProperty("receipts").GetInt64(), t.GetProperty("revenue").GetDecimal(),
            t.GetProperty("items").GetInt64(), t.GetProperty("salesAttempts").GetInt64()));
        Assert.Equal((0.12, 1083.33m, 0.2), (t.GetProperty("conversion").GetDouble(), t.GetProperty("averageCheck").GetDecimal(), t.GetProperty("coverage").GetDouble()));
        Assert.Equal(25.0 / 12, t.GetProperty("itemsPerReceipt").GetDouble(), 10);
        // By hour: 4/20, 6/30, 2/50.
        Assert.Equal([0.2, 0.2, 0.04], new[] { 10, 11, 12 }.Select(h => Math.Round(Hour(report, h).GetProperty("conversion").GetDouble(), 10)));
        Assert.Equal([20L, 30L, 50L], new[] { 10, 11, 12 }.Select(h => Hour(report, h).GetProperty("visitors").GetInt64()));

        // KPI matrix: Anna's 4 receipts for 4 500.00 of the 100 visitors of her shift, her 20 approaches, 9 green and 3 red presses, 4 funnel entries.
        var row = Assert.Single(kpis.EnumerateArray());
        Assert.Equal((anna, 100L, 4L, 4500.00m, 20L, 9L, 3L, 4L), (row.GetProperty("staffId").GetGuid(), row.GetProperty("visitors").GetInt64(), row.GetProperty("receipts").GetInt64(),
            row.GetProperty("revenue").GetDecimal(), row.GetProperty("salesAttempts").GetInt64(), row.GetProperty("green").GetInt64(), row.GetProperty("red").GetInt64(),
            row.GetProperty("funnelEntries").GetInt64()));
        Assert.Equal((0.04, 1125.00m, 0.2, 0.75), (row.GetProperty("conversion").GetDouble(), row.GetProperty("averageCheck").GetDecimal(), row.GetProperty("coverage").GetDouble(),
            row.GetProperty("quality").GetDouble()));
        // …the same as her row of the conversion report, and her approaches are all the store's approaches.
        var staffRow = Assert.Single(report.GetProperty("staff").EnumerateArray());
        Assert.Equal((row.GetProperty("receipts").GetInt64(), row.GetProperty("revenue").GetDecimal(), row.GetProperty("salesAttempts").GetInt64()),
            (staffRow.GetProperty("receipts").GetInt64(), staffRow.GetProperty("revenue").GetDecimal(), staffRow.GetProperty("salesAttempts").GetInt64()));
        Assert.Equal(t.GetProperty("salesAttempts").GetInt64(), row.GetProperty("salesAttempts").GetInt64());
        Assert.Equal(t.GetProperty("coverage").GetDouble(), row.GetProperty("coverage").GetDouble());

        // Funnel: 4 entries, 1 purchase; reached 4, 4, 3, 1, 1; the biggest drop at the presentation, for the price.
        Assert.Equal((4L, 1L, 0L), (funnel.GetProperty("entered").GetInt64(), funnel.GetProperty("purchased").GetInt64(), funnel.GetProperty("refused").GetInt64()));
        Assert.Equal([4L, 4, 3, 1, 1], funnel.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("reached").GetInt64()));
        Assert.Equal("presentation", funnel.GetProperty("biggestDropStage").GetString());
        Assert.Equal(["price:2"], funnel.GetProperty("topReasons").EnumerateArray().Select(r => $"{r.GetProperty("key").GetString()}:{r.GetProperty("count").GetInt64()}"));
        Assert.Equal(row.GetProperty("funnelEntries").GetInt64(), funnel.GetProperty("entered").GetInt64());

        // The dashboards (hourly rollups): 3 red presses per 12 receipts = 25 per 100, and the same counts as the report.
        var main = metrics.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == seed.Location.Id.ToString());
        Assert.Equal(25.0, main.GetProperty("redRatePer100Receipts").GetDouble(), 10);
        Assert.Equal((12L, 100L, 9L, 3L), (main.GetProperty("counts").GetProperty("receipts").GetInt64(), main.GetProperty("counts").GetProperty("visitors").GetInt64(),
            main.GetProperty("counts").GetProperty("green").GetInt64(), main.GetProperty("counts").GetProperty("red").GetInt64()));
    }
}

public sealed class StoreDaySqliteTests(SqliteApp app) : StoreDayTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class StoreDayPostgresTests(PostgresApp app) : StoreDayTests(app), IClassFixture<PostgresApp>;
