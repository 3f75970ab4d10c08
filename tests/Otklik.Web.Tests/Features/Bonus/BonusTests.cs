using System.Globalization;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Bonus;
using Otklik.Web.Features.Bonus;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Bonus;

/// <summary>
/// The worked example of docs/bonus-example.md built from real signals through the API: presses from buttons, a case qualified
/// as consumer terrorism, NPS answers during shifts, map-review snapshots and customer counts.
/// </summary>
public static class BonusExample
{
    public static async Task<(TestOrg Org, string Period, Dictionary<string, Guid> Staff)> CreateAsync(OtklikApp app)
    {
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var at0 = now.AddHours(-1) > monthStart.AddMinutes(1) ? now.AddHours(-1) : monthStart.AddMinutes(1);
        var period = now.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var first = DateOnly.FromDateTime(monthStart.UtcDateTime);
        var last = first.AddMonths(1).AddDays(-1);

        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var staffIds = new Dictionary<string, Guid>();
        // name, green, red, of them consumer terrorism, new positive reviews, customers, promoters / passives / detractors
        (string Name, int Green, int Red, int Terror, int Reviews, int Customers, int P, int N, int D)[] people =
        [
            ("anna", 95, 5, 0, 4, 800, 12, 3, 1),
            ("boris", 70, 30, 0, 3, 500, 5, 3, 2),
            ("vera", 85, 18, 3, 1, 400, 4, 4, 4),
        ];
        var locations = new List<LocationDto>();
        foreach (var p in people)
            locations.Add(await (await http.PostJsonAsync("/api/v1/locations", new { name = "Shop of " + p.Name, timeZone = "Etc/UTC" }))
                .ReadAsync<LocationDto>(HttpStatusCode.Created));
        var survey = await (await http.PostJsonAsync("/api/v1/surveys", new
        {
            name = "NPS", keyKind = "Nps", keyTextRu = "Порекомендуете нас?", keyTextEn = "Would you recommend us?", locationIds = locations.Select(l => l.Id).ToArray(),
        })).ReadAsync<SurveyDto>(HttpStatusCode.Created);
        foreach (var (p, location) in people.Zip(locations))
        {
            var staff = await (await http.PostJsonAsync("/api/v1/staff", new { name = p.Name, locationId = location.Id })).ReadAsync<StaffDto>(HttpStatusCode.Created);
            staffIds[p.Name] = staff.Id;
            (await http.PostJsonAsync("/api/v1/shifts", new { staffMemberId = staff.Id, locationId = location.Id, startsAt = now.AddHours(-3), endsAt = now.AddHours(1) }))
                .EnsureSuccessStatusCode();
            var device = await (await http.PostJsonAsync("/api/v1/devices", new { name = "Button", kind = "ButtonSmart", locationId = location.Id, staffMemberId = staff.Id }))
                .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
            var button = new TestDevice(app, device.Device.Id, device.Token);
            var i = 0;
            DateTimeOffset Next() => at0.AddSeconds(5 * i++);

            // The presses that the customer's complaint case covers: each opens a case, qualified as consumer terrorism.
            if (p.Terror > 0)
            {
                (await http.PutJsonAsync($"/api/v1/locations/{location.Id}/case-rule", new { openCaseOnRedPress = true })).EnsureSuccessStatusCode();
                (await button.PostAsync(TestDevice.Batch(Enumerable.Range(0, p.Terror).Select(_ => TestDevice.Event(Guid.NewGuid(), "red", Next()))))).EnsureSuccessStatusCode();
                var cases = await app.WithDbAsync(db => db.Cases.Where(c => c.LocationId == location.Id && c.PressId != null).Select(c => c.Id).ToListAsync(), org.Id);
                Assert.Equal(p.Terror, cases.Count);
                foreach (var id in cases)
                    (await http.PostJsonAsync($"/api/v1/cases/{id}/qualify", new { qualification = "ConsumerTerrorism" })).EnsureSuccessStatusCode();
                (await http.PutJsonAsync($"/api/v1/locations/{location.Id}/case-rule", new { openCaseOnRedPress = false })).EnsureSuccessStatusCode();
            }
            var events = Enumerable.Range(0, p.Green).Select(_ => TestDevice.Event(Guid.NewGuid(), "green", Next()))
                .Concat(Enumerable.Range(0, p.Red - p.Terror).Select(_ => TestDevice.Event(Guid.NewGuid(), "red", Next()))).ToList();
            (await button.PostAsync(TestDevice.Batch(events))).EnsureSuccessStatusCode();

            var scores = Enumerable.Repeat(10, p.P).Concat(Enumerable.Repeat(8, p.N)).Concat(Enumerable.Repeat(3, p.D));
            foreach (var score in scores)
                (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location.Id, keyScore = score })).EnsureSuccessStatusCode();
            (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location.Id, declined = true })).EnsureSuccessStatusCode();

            (await http.PostJsonAsync("/api/v1/reviews/snapshots", new
            {
                locationId = location.Id, service = "YandexMaps", takenAt = monthStart.AddDays(-1), totalReviews = 150, positiveReviews = 100,
            })).EnsureSuccessStatusCode();
            (await http.PostJsonAsync("/api/v1/reviews/snapshots", new
            {
                locationId = location.Id, service = "YandexMaps", takenAt = now.AddMinutes(-1), totalReviews = 160, positiveReviews = 100 + p.Reviews,
            })).EnsureSuccessStatusCode();
            (await http.PostJsonAsync("/api/v1/customer-counts", new
            {
                locationId = location.Id, from = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                customers = p.Customers,
            })).EnsureSuccessStatusCode();
        }

        (await http.PutJsonAsync("/api/v1/bonus/rule", new
        {
            baseFund = 30000m, capPerEmployee = 12000m,
            components = new object[]
            {
                new { metric = "SupportIndex", weight = 2, threshold = 0.004 },
                new { metric = "GreenShare", weight = 5, threshold = 0.8 },
                new { metric = "Nps", weight = 3, threshold = 30 },
            },
        })).EnsureSuccessStatusCode();
        return (org, period, staffIds);
    }
}

public abstract class BonusTests(OtklikApp app)
{
    [Fact]
    public async Task Statement_WorkedExampleFromDocs_IsReproducedExactly_ThroughTheApi()
    {
        var (org, period, staff) = await BonusExample.CreateAsync(app);
        using var http = org.Owner();

        var report = await (await http.GetAsync($"/api/v1/bonus/statement?period={period}")).ReadAsync<BonusStatementReport>();

        Assert.Equal((30000m, 27000m, 3000m), (report.BaseFund, report.Allocated, report.Unallocated));
        Assert.Equal(["anna", "boris", "vera"], report.Employees.Select(e => e.Name));
        string Amounts(EmployeeBonus e) => string.Join(" ", e.Lines.Select(l => l.Amount.ToString("0.00", CultureInfo.InvariantCulture)))
            + $" | {e.Subtotal:0.00} {e.Total:0.00} {(e.IsCapped ? "capped" : "")}".TrimEnd();
        Assert.Equal("3000.00 7500.00 4500.00 | 15000.00 12000.00 capped", Amounts(report.Employees[0]));
        Assert.Equal("3000.00 0.00 4500.00 | 7500.00 7500.00", Amounts(report.Employees[1]));
        Assert.Equal("0.00 7500.00 0.00 | 7500.00 7500.00", Amounts(report.Employees[2]));

        var anna = report.Employees[0];
        Assert.Equal([BonusMetric.SupportIndex, BonusMetric.GreenShare, BonusMetric.Nps], anna.Lines.Select(l => l.Metric));
        Assert.Equal("green share 0.95 ≥ threshold 0.8: fund 15000.00 / 2 eligible = 7500.00", anna.Lines[1].Explanation);
        Assert.Equal(0.005, anna.Lines[0].Value!.Value, 12);
        Assert.Equal(68.75, anna.Lines[2].Value!.Value, 9);
        Assert.Equal(new BonusInputs(95, 5, 0, 4, 800, Otklik.Core.Metrics.CustomerCountSource.Manual, 12, 3, 1), anna.Inputs);
        var boris = report.Employees[1];
        Assert.Equal(30, boris.Lines[2].Value!.Value, 9); // equal to the threshold counts
        Assert.True(boris.Lines[2].MetThreshold);
        var vera = report.Employees[2];
        Assert.Equal((85L, 15L, 3L), (vera.Inputs.GreenPresses, vera.Inputs.RedPresses, vera.Inputs.ExcludedRedPresses));
        Assert.Equal(0.0025, vera.Lines[0].Value!.Value, 12);
        Assert.Equal("support index 0.0025 < threshold 0.004: pays 0", vera.Lines[0].Explanation);
        Assert.Equal(staff["vera"], vera.StaffId);

        // The same lines as CSV and Excel.
        var csv = Encoding.UTF8.GetString(await (await http.GetAsync($"/api/v1/bonus/statement.csv?period={period}")).Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(1 + 9, lines.Length);
        Assert.StartsWith("employee,location,metric,value,threshold,weight,componentFund", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("anna,Shop of anna,GreenShare,0.95,0.8,5,15000.00,2,true,7500.00,", StringComparison.Ordinal) && l.EndsWith(",15000.00,12000.00,12000.00", StringComparison.Ordinal));
        using var xlsx = new XLWorkbook(new MemoryStream(await (await http.GetAsync($"/api/v1/bonus/statement.xlsx?period={period}")).Content.ReadAsByteArrayAsync()));
        var sheet = xlsx.Worksheets.First();
        Assert.Equal("vera", sheet.Cell(10, 1).GetString());
        Assert.Equal(7500m, sheet.Cell(10, 22).GetValue<decimal>());
    }

    [Fact]
    public async Task Rule_BadInput_Is400ProblemDetails_AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var before = await (await http.GetAsync("/api/v1/bonus/rule")).ReadAsync<BonusRuleDto>();
        object[] bodies =
        [
            new { baseFund = -1, components = new[] { new { metric = "Nps", weight = 1, threshold = 0 } } },
            new { baseFund = 100.001, components = new[] { new { metric = "Nps", weight = 1, threshold = 0 } } },
            new { baseFund = 100, components = Array.Empty<object>() },
            new { baseFund = 100, components = new[] { new { metric = "Nps", weight = 0, threshold = 0 } } },
            new { baseFund = 100, components = new[] { new { metric = "Nps", weight = 1, threshold = 0 }, new { metric = "Nps", weight = 1, threshold = 10 } } },
            new { baseFund = 100, components = new[] { new { metric = "GreenShare", weight = 1, threshold = 80 } } },
            new { baseFund = 100, components = new[] { new { metric = "Nps", weight = -1, threshold = 0 } } },
            new { baseFund = 100, capPerEmployee = -5, components = new[] { new { metric = "Nps", weight = 1, threshold = 0 } } },
        ];
        foreach (var body in bodies)
            await (await http.PutJsonAsync("/api/v1/bonus/rule", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PutAsync("/api/v1/bonus/rule",
            new StringContent("""{"baseFund":1,"components":[{"metric":"Happiness","weight":1,"threshold":0}]}""", Encoding.UTF8, "application/json"))).StatusCode);
        foreach (var period in new[] { "2026-13", "march", "", "2026-3-1" })
            Assert.Contains("period", (await (await http.GetAsync($"/api/v1/bonus/statement?period={period}")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());

        Assert.Equal(0, await app.WithDbAsync(db => db.BonusSettings.CountAsync(), org.Id));
        var after = await (await http.GetAsync("/api/v1/bonus/rule")).ReadAsync<BonusRuleDto>();
        Assert.Equal(before.BaseFund, after.BaseFund);
        // Only managers and owners see pay.
        using var viewer = app.WithKey(await app.NewApiKeyAsync(org.Id, Otklik.Web.Tenancy.OtklikRole.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/bonus/statement?period=2026-03")).StatusCode);
    }

    [Fact]
    public async Task Rule_SavedAndReadBack()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var saved = await (await http.PutJsonAsync("/api/v1/bonus/rule", new
        {
            baseFund = 1000.5m, components = new[] { new { metric = "GreenShare", weight = 1, threshold = 0.9 } },
        })).ReadAsync<BonusRuleDto>();

        var read = await (await http.GetAsync("/api/v1/bonus/rule")).ReadAsync<BonusRuleDto>();

        Assert.Equal((1000.5m, (decimal?)null), (read.BaseFund, read.CapPerEmployee));
        Assert.Equal(new BonusComponentDto(BonusMetric.GreenShare, 1m, 0.9), Assert.Single(read.Components!));
        Assert.Equal(saved.BaseFund, read.BaseFund);
    }
}

public sealed class BonusSqliteTests(SqliteApp app) : BonusTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class BonusPostgresTests(PostgresApp app) : BonusTests(app), IClassFixture<PostgresApp>;
