using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Staff;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Staff;

public abstract class StaffApiTests(OtklikApp app)
{
    [Fact]
    public async Task Staff_CanBeCreatedUpdatedListedAndDeleted()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var created = await (await http.PostJsonAsync("/api/v1/staff", new { name = "Вера", locationId = seed.Location.Id, position = "Кассир", externalId = "POS-7" }))
            .ReadAsync<StaffDto>(HttpStatusCode.Created);
        var updated = await (await http.PutJsonAsync($"/api/v1/staff/{created.Id}", new { name = "Вера П.", locationId = seed.OtherLocation.Id, active = false }))
            .ReadAsync<StaffDto>();
        var atOther = await (await http.GetAsync($"/api/v1/staff?locationId={seed.OtherLocation.Id}")).ReadAsync<Page<StaffDto>>();

        Assert.Equal(("Вера П.", seed.OtherLocation.Id, false), (updated.Name, updated.LocationId, updated.Active));
        Assert.Contains(atOther.Items, s => s.Id == created.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/staff/{created.Id}")).StatusCode);
        await (await http.GetAsync($"/api/v1/staff/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Shifts_AreListedByPeriod()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();
        var start = new DateTimeOffset(2031, 3, 2, 9, 0, 0, TimeSpan.FromHours(3));
        (await http.PostJsonAsync("/api/v1/shifts", new { staffMemberId = seed.Staff.Id, locationId = seed.Location.Id, startsAt = start, endsAt = start.AddHours(6) }))
            .EnsureSuccessStatusCode();

        var week = await (await http.GetAsync($"/api/v1/shifts?staffMemberId={seed.Staff.Id}&from=2031-03-01T00:00:00Z&to=2031-03-08T00:00:00Z")).ReadAsync<Page<ShiftDto>>();

        var shift = Assert.Single(week.Items);
        Assert.Equal(start, shift.StartsAt);
        Assert.Equal(TimeSpan.Zero, shift.StartsAt.Offset);
    }

    [Fact]
    public async Task Shifts_ThatOverlapEndBeforeStartOrLastTooLong_AreRefused()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();
        var s = seed.Shift.StartsAt;
        object Shift(DateTimeOffset from, DateTimeOffset to) => new { staffMemberId = seed.Staff.Id, locationId = seed.Location.Id, startsAt = from, endsAt = to };

        var overlap = await http.PostJsonAsync("/api/v1/shifts", Shift(s.AddHours(1), s.AddHours(3)));
        var backwards = await http.PostJsonAsync("/api/v1/shifts", Shift(s.AddDays(2), s.AddDays(2).AddHours(-1)));
        var tooLong = await http.PostJsonAsync("/api/v1/shifts", Shift(s.AddDays(3), s.AddDays(4).AddHours(1)));
        var missing = await http.PostJsonAsync("/api/v1/shifts", new { locationId = seed.Location.Id });

        Assert.Equal(["startsat"], (await overlap.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["endsat"], (await backwards.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["endsat"], (await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["endsat", "staffmemberid", "startsat"], (await missing.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal(2, await app.WithDbAsync(db => db.Shifts.CountAsync(), seed.Org.Id));
    }
}

public sealed class StaffApiSqliteTests(SqliteApp app) : StaffApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class StaffApiPostgresTests(PostgresApp app) : StaffApiTests(app), IClassFixture<PostgresApp>;
