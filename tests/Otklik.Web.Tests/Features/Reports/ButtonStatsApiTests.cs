using System.Globalization;
using System.Net;
using System.Text;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Staff;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Reports;

/// <summary>
/// Presses at known local times at a location in Yekaterinburg (+05:00) and one in Moscow (+03:00), sent over the device
/// protocol, then read back grouped every way. Times are chosen so that grouping by UTC would give other answers.
/// </summary>
public abstract class ButtonStatsApiTests(OtklikApp app)
{
    private static readonly TimeSpan Yekaterinburg = TimeSpan.FromHours(5);
    private static readonly TimeSpan Moscow = TimeSpan.FromHours(3);

    /// <summary>Main (Yekaterinburg, button assigned to Anna) and Other (Moscow, button unassigned, Boris on shift 09:00–15:00 local on day D).</summary>
    private sealed record Scenario(Seed Seed, DateOnly D);

    /// <summary>A local time on a day relative to D at an offset.</summary>
    private static DateTimeOffset At(DateOnly day, int hour, int minute, TimeSpan offset, int second = 0) =>
        new(day.ToDateTime(new TimeOnly(hour, minute, second)), offset);

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<Scenario> ArrangeAsync()
    {
        var seed = await Seed.CreateAsync(app);
        // Ten days back: inside the ingestion window, far from today's shifts of the seed.
        var d = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-10));
        using var http = seed.Org.Owner();
        (await http.PutJsonAsync($"/api/v1/locations/{seed.Location.Id}", new { name = "Main", groupId = seed.Group.Id, timeZone = "Asia/Yekaterinburg" }))
            .EnsureSuccessStatusCode();
        (await http.PutJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}", new { name = "Other", timeZone = "Europe/Moscow" })).EnsureSuccessStatusCode();
        await (await http.PostJsonAsync("/api/v1/shifts", new
        {
            staffMemberId = seed.OtherStaff.Id, locationId = seed.OtherLocation.Id, startsAt = At(d, 9, 0, Moscow), endsAt = At(d, 15, 0, Moscow),
        })).ReadAsync<ShiftDto>(HttpStatusCode.Created);

        var main = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        (await main.PostAsync(TestDevice.Batch(
        [
            TestDevice.Event(Guid.NewGuid(), "green", At(d, 0, 30, Yekaterinburg)),   // 19:30 UTC the day before
            TestDevice.Event(Guid.NewGuid(), "green", At(d, 9, 15, Yekaterinburg)),
            TestDevice.Event(Guid.NewGuid(), "red", At(d, 9, 45, Yekaterinburg)),
            TestDevice.Event(Guid.NewGuid(), "red", At(d, 9, 45, Yekaterinburg, second: 1)), // a repeat 1 s later: suppressed
            TestDevice.Event(Guid.NewGuid(), "red", At(d, 23, 50, Yekaterinburg)),
            TestDevice.Event(Guid.NewGuid(), "green", At(d.AddDays(1), 10, 0, Yekaterinburg)),
        ]))).EnsureSuccessStatusCode();
        var other = new TestDevice(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token);
        (await other.PostAsync(TestDevice.Batch(
        [
            TestDevice.Event(Guid.NewGuid(), "green", At(d, 9, 30, Moscow)),
            TestDevice.Event(Guid.NewGuid(), "green", At(d, 10, 0, Moscow)),
            TestDevice.Event(Guid.NewGuid(), "green", At(d, 10, 0, Moscow, second: 2)), // suppressed
            TestDevice.Event(Guid.NewGuid(), "red", At(d, 22, 0, Moscow)),               // after Boris's shift: nobody
        ]))).EnsureSuccessStatusCode();
        return new Scenario(seed, d);
    }

    private static async Task<ButtonStatsReport> GetAsync(HttpClient http, string query) =>
        await (await http.GetAsync("/api/v1/stats/buttons?" + query)).ReadAsync<ButtonStatsReport>();

    private static (long Green, long Red, long Suppressed, long Total) Counts(ButtonStatsRow r) => (r.Green, r.Red, r.Suppressed, r.Total);

    private static ButtonStatsRow Row(ButtonStatsReport report, string key) => Assert.Single(report.Rows, r => r.Key == key);

    [Fact]
    public async Task ByLocation_CountsEachLocation_SuppressedApartAndOutOfTheShare()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();

        var report = await GetAsync(http, $"groupBy=location&from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}");

        Assert.Equal("location", report.GroupBy);
        Assert.Equal([s.Seed.Location.Id.ToString(), s.Seed.OtherLocation.Id.ToString()], report.Rows.Select(r => r.Key));
        var main = Row(report, s.Seed.Location.Id.ToString());
        Assert.Equal("Main", main.Label);
        Assert.Equal((3L, 2L, 1L, 6L), Counts(main));
        Assert.Equal(0.6, main.GreenShare!.Value, 9);
        var other = Row(report, s.Seed.OtherLocation.Id.ToString());
        Assert.Equal((2L, 1L, 1L, 4L), Counts(other));
        Assert.Equal(2.0 / 3, other.GreenShare!.Value, 9);
        Assert.Equal(new ButtonStatsTotals(5, 3, 2, 10, 5.0 / 8), report.Totals);
    }

    [Fact]
    public async Task ByStaff_AttributesToTheAssignedEmployeeOrTheOneOnShift_AndListsTheRestAsNotAttributed()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();

        var report = await GetAsync(http, $"groupBy=staff&from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}");

        Assert.Equal(["Anna", "Boris", "Not attributed"], report.Rows.Select(r => r.Label));
        Assert.Equal((3L, 2L, 1L, 6L), Counts(Row(report, s.Seed.Staff.Id.ToString())));
        var boris = Row(report, s.Seed.OtherStaff.Id.ToString());
        Assert.Equal((2L, 0L, 1L, 3L), Counts(boris));
        Assert.Equal(1.0, boris.GreenShare);
        var nobody = Row(report, ButtonStats.NotAttributedKey);
        Assert.Equal((0L, 1L, 0L, 1L), Counts(nobody));
        Assert.Equal(0.0, nobody.GreenShare);
    }

    [Fact]
    public async Task ByHour_UsesEachLocationsOwnClock()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();

        var report = await GetAsync(http, $"groupBy=hour&from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}");

        Assert.Equal(Enumerable.Range(0, 24).Select(h => h.ToString(CultureInfo.InvariantCulture)), report.Rows.Select(r => r.Key));
        Assert.Equal("09:00", Row(report, "9").Label);
        var expected = new Dictionary<string, (long, long, long, long)>
        {
            ["0"] = (1, 0, 0, 1),   // 00:30 in Yekaterinburg (19:30 UTC)
            ["9"] = (2, 1, 1, 4),   // 09:15, 09:45 (+ its repeat) in Yekaterinburg, 09:30 in Moscow
            ["10"] = (2, 0, 1, 3),  // 10:00 next day in Yekaterinburg, 10:00 (+ its repeat) in Moscow
            ["22"] = (0, 1, 0, 1),  // Moscow
            ["23"] = (0, 1, 0, 1),  // Yekaterinburg
        };
        foreach (var row in report.Rows)
            Assert.Equal(expected.GetValueOrDefault(row.Key), Counts(row));
        Assert.Null(Row(report, "3").GreenShare);
    }

    [Fact]
    public async Task ByDayAndWeekday_UseEachLocationsOwnCalendar()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();
        var query = $"from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}";

        var days = await GetAsync(http, "groupBy=day&" + query);
        var weekdays = await GetAsync(http, "groupBy=weekday&" + query);

        // Every day of the period, the quiet ones too; the 00:30 press in Yekaterinburg is on day D, not on D-1 as in UTC.
        Assert.Equal([Date(s.D.AddDays(-1)), Date(s.D), Date(s.D.AddDays(1)), Date(s.D.AddDays(2))], days.Rows.Select(r => r.Key));
        Assert.Equal((0L, 0L, 0L, 0L), Counts(days.Rows[0]));
        Assert.Equal((4L, 3L, 2L, 9L), Counts(days.Rows[1]));
        Assert.Equal((1L, 0L, 0L, 1L), Counts(days.Rows[2]));
        Assert.Equal((0L, 0L, 0L, 0L), Counts(days.Rows[3]));

        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], weekdays.Rows.Select(r => r.Key));
        var dayOfD = ButtonStats.IsoWeekday(s.D.DayOfWeek).ToString(CultureInfo.InvariantCulture);
        var dayAfter = ButtonStats.IsoWeekday(s.D.AddDays(1).DayOfWeek).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(s.D.DayOfWeek.ToString(), Row(weekdays, dayOfD).Label);
        foreach (var row in weekdays.Rows)
            Assert.Equal(row.Key == dayOfD ? (4L, 3L, 2L, 9L) : row.Key == dayAfter ? (1L, 0L, 0L, 1L) : (0L, 0L, 0L, 0L), Counts(row));
        Assert.Equal(days.Totals, weekdays.Totals);
    }

    [Fact]
    public async Task APeriodOfDates_EndsAtEachLocationsOwnMidnight_AndInstantsAreExact()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();

        // Day D alone: Yekaterinburg's day D starts five hours before UTC's and Moscow's three.
        var oneDay = await GetAsync(http, $"from={Date(s.D)}&to={Date(s.D)}");
        // 09:00–10:00 in Yekaterinburg as instants: Moscow's 09:30 (06:30 UTC) is outside.
        var from = Uri.EscapeDataString(At(s.D, 9, 0, Yekaterinburg).ToString("O", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(At(s.D, 10, 0, Yekaterinburg).ToString("O", CultureInfo.InvariantCulture));
        var oneHour = await GetAsync(http, $"from={from}&to={to}");
        // The same with an unencoded '+', which arrives as a space.
        var plain = await GetAsync(http, $"from={At(s.D, 9, 0, Yekaterinburg).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)}&to={to}");

        Assert.Equal(new ButtonStatsTotals(4, 3, 2, 9, 4.0 / 7), oneDay.Totals);
        Assert.Equal(new ButtonStatsTotals(1, 1, 1, 3, 0.5), oneHour.Totals);
        Assert.Equal(oneHour.Totals, plain.Totals);
    }

    [Fact]
    public async Task ALocationManager_SeesOnlyTheirLocation()
    {
        var s = await ArrangeAsync();
        using var http = app.WithKey(await app.NewApiKeyAsync(s.Seed.Org.Id, OtklikRole.LocationManager, s.Seed.Location.Id));
        var period = $"from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}";

        var byLocation = await GetAsync(http, "groupBy=location&" + period);
        var byStaff = await GetAsync(http, "groupBy=staff&" + period);
        var csv = await (await http.GetAsync("/api/v1/stats/buttons.csv?groupBy=staff&" + period)).Content.ReadAsStringAsync();
        var otherLocation = await http.GetAsync($"/api/v1/stats/buttons?locationId={s.Seed.OtherLocation.Id}&" + period);

        Assert.Equal([s.Seed.Location.Id.ToString()], byLocation.Rows.Select(r => r.Key));
        Assert.Equal(new ButtonStatsTotals(3, 2, 1, 6, 0.6), byLocation.Totals);
        Assert.Equal(["Anna"], byStaff.Rows.Select(r => r.Label));
        Assert.DoesNotContain("Boris", csv, StringComparison.Ordinal);
        await otherLocation.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OneLocation_ByItsId_AndUnknownOrForeignIds_Are404()
    {
        var s = await ArrangeAsync();
        var stranger = await Seed.CreateAsync(app);
        using var http = s.Seed.Org.Owner();
        var period = $"from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}";

        var other = await GetAsync(http, $"groupBy=hour&locationId={s.Seed.OtherLocation.Id}&" + period);

        Assert.Equal(s.Seed.OtherLocation.Id, other.LocationId);
        Assert.Equal(new ButtonStatsTotals(2, 1, 1, 4, 2.0 / 3), other.Totals);
        await (await http.GetAsync($"/api/v1/stats/buttons?locationId={Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await http.GetAsync($"/api/v1/stats/buttons?locationId={stranger.Location.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await http.GetAsync($"/api/v1/stats/buttons.csv?locationId={stranger.Location.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("groupBy=month", "groupby")]
    [InlineData("groupBy=1", "groupby")]
    [InlineData("locationId=abc", "locationid")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("to=2026-11-01T10:00:00", "to")]
    [InlineData("from=2026-11-02&to=2026-11-01", "to")]
    [InlineData("from=2026-11-01T10:00:00Z&to=2026-11-01T10:00:00Z", "to")]
    [InlineData("from=2025-01-01&to=2026-02-05", "to")]
    public async Task BadParameters_Are400_NamingThem(string query, string field)
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        foreach (var path in new[] { "/api/v1/stats/buttons", "/api/v1/stats/buttons.csv" })
        {
            var problem = await (await http.GetAsync(path + "?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal([field], problem.ErrorFields());
        }
    }

    [Fact]
    public async Task BadParameters_AreAllNamedAtOnce_AndAnUnknownGroupingListsTheAllowedOnes()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var problem = await (await http.GetAsync("/api/v1/stats/buttons?groupBy=month&locationId=x&from=soon&to=later")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["from", "groupby", "locationid", "to"], problem.ErrorFields().Order());
        var message = problem.GetProperty("errors").GetProperty("groupBy")[0].GetString();
        Assert.Equal("Unknown grouping. Allowed values: location, staff, hour, day, weekday.", message);
    }

    [Fact]
    public async Task ThePeriodIsOptional_AndALongestPeriodOf400DaysIsAccepted()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();
        // A press a few minutes ago is inside the default period (the last 30 days up to now).
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), "green", DateTimeOffset.UtcNow.AddMinutes(-5)))).EnsureSuccessStatusCode();

        var byDefault = await GetAsync(http, "");
        var longest = await http.GetAsync("/api/v1/stats/buttons?from=2025-01-01&to=2026-02-04");

        Assert.Equal("location", byDefault.GroupBy);
        Assert.Equal(new ButtonStatsTotals(1, 0, 0, 1, 1.0), byDefault.Totals);
        Assert.Equal(TimeSpan.FromDays(30), DateTimeOffset.Parse(byDefault.To, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(byDefault.From, CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
    }

    [Fact]
    public async Task Csv_HasABomAHeaderAndTheSameNumbersAsTheJson()
    {
        var s = await ArrangeAsync();
        using var http = s.Seed.Org.Owner();
        // A Cyrillic name, which Excel only shows right with the BOM, and one that a spreadsheet would take for a formula.
        (await http.PutJsonAsync($"/api/v1/staff/{s.Seed.Staff.Id}", new { name = "Анна Смирнова", locationId = s.Seed.Location.Id })).EnsureSuccessStatusCode();
        (await http.PutJsonAsync($"/api/v1/staff/{s.Seed.OtherStaff.Id}", new { name = "=HYPERLINK(1)", locationId = s.Seed.OtherLocation.Id })).EnsureSuccessStatusCode();
        var query = $"groupBy=staff&from={Date(s.D.AddDays(-1))}&to={Date(s.D.AddDays(2))}";

        var json = await GetAsync(http, query);
        using var response = await http.GetAsync("/api/v1/stats/buttons.csv?" + query);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("key,label,green,red,suppressed,total,greenShare", lines[0]);
        string Line(string key, string label, long g, long r, long sup, long t, double? share) =>
            string.Join(',', key, label, g, r, sup, t, share?.ToString("0.####", CultureInfo.InvariantCulture) ?? "");
        var expected = json.Rows.Select(r => Line(r.Key, r.Label.StartsWith('=') ? "\"'" + r.Label + "\"" : r.Label, r.Green, r.Red, r.Suppressed, r.Total, r.GreenShare))
            .Append(Line("total", "Total", json.Totals.Green, json.Totals.Red, json.Totals.Suppressed, json.Totals.Total, json.Totals.GreenShare));
        Assert.Equal(expected, lines[1..]);
        Assert.Contains($"{s.Seed.Staff.Id},Анна Смирнова,3,2,1,6,0.6", lines);
        Assert.Contains($"{s.Seed.OtherStaff.Id},\"'=HYPERLINK(1)\",2,0,1,3,1", lines);
        Assert.Equal("total,Total,5,3,2,10,0.625", lines[^1]);
    }

    [Fact]
    public async Task ThePage_RendersForASignedInOwner_AndTheCsvLinkWorksWithTheCookie()
    {
        var s = await ArrangeAsync();
        using var browser = await SignInAsync(s.Seed.Org.OwnerEmail);

        var page = await browser.GetAsync("/reports/buttons");
        var html = await page.Content.ReadAsStringAsync();
        var csv = await browser.GetAsync($"/api/v1/stats/buttons.csv?groupBy=location&from={Date(s.D)}&to={Date(s.D)}");
        using var anonymous = app.Anonymous();
        var denied = await anonymous.GetAsync("/reports/buttons");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Button reports", html, StringComparison.Ordinal);
        Assert.Contains("report-period", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Contains("total,Total,4,3,2,9,", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/login", denied.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    private Task<HttpClient> SignInAsync(string email) => SignIn.AsAsync(app, email);
}

public sealed class ButtonStatsApiSqliteTests(SqliteApp app) : ButtonStatsApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ButtonStatsApiPostgresTests(PostgresApp app) : ButtonStatsApiTests(app), IClassFixture<PostgresApp>;
