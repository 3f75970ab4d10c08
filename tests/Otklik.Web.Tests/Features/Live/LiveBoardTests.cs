using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Live;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Live;

public abstract class LiveBoardTests(OtklikApp app)
{
    [Fact]
    public void Today_IsTheLocalDay_AsInstants()
    {
        var vladivostok = LiveBoard.Zone("Asia/Vladivostok");

        var (start, end) = LiveBoard.Today(vladivostok, DateTimeOffset.Parse("2025-03-10T15:30:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse("2025-03-10T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(TimeSpan.FromDays(1), end - start);
    }

    [Fact]
    public void Today_StartsAtTheFirstRealMinute_WhenTheClockChangeSkipsMidnight()
    {
        // São Paulo moved its clocks from 00:00 to 01:00 on 4 November 2018.
        var saoPaulo = LiveBoard.Zone("America/Sao_Paulo");

        var (start, end) = LiveBoard.Today(saoPaulo, DateTimeOffset.Parse("2018-11-04T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse("2018-11-04T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    [Fact]
    public async Task Load_CountsTodaysPresses_ButNotRepeatsOrYesterday_AndListsThemAll()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        var now = DateTimeOffset.UtcNow;
        var (dayStart, _) = LiveBoard.Today(LiveBoard.Zone(seed.Location.TimeZone), now);
        var today = dayStart + (now - dayStart) / 2;
        (await device.PostAsync(TestDevice.Batch([
            TestDevice.Event(Guid.NewGuid(), "green", today),
            TestDevice.Event(Guid.NewGuid(), "red", today.AddSeconds(1)), // a repeat within the window: kept, not counted
            TestDevice.Event(Guid.NewGuid(), "red", dayStart.AddMinutes(-1)),
        ]))).EnsureSuccessStatusCode();

        var board = await app.WithDbAsync(db => LiveBoard.LoadAsync(db, seed.Location.Id, now, CancellationToken.None), seed.Org.Id);

        var tile = Assert.Single(board.Locations);
        Assert.Equal((1L, 0L, 1.0), (tile.Green, tile.Red, tile.Metrics.GreenShare));
        // Newest first: the repeat, the green, yesterday's red.
        Assert.Equal([(PressType.Red, true), (PressType.Green, false), (PressType.Red, false)], board.Feed.Select(f => (f.Type, f.Suppressed)));
        Assert.Equal("Button", board.DeviceName(seed.Device.Device.Id));
    }

    [Fact]
    public async Task Apply_CountsOnlyThisBoardsPresses_OfToday_ThatAreNotRepeats()
    {
        var seed = await Seed.CreateAsync(app);
        var now = DateTimeOffset.UtcNow;
        var board = await app.WithDbAsync(db => LiveBoard.LoadAsync(db, seed.Location.Id, now, CancellationToken.None), seed.Org.Id);
        var tile = Assert.Single(board.Locations);
        var at = tile.DayStart + (now - tile.DayStart) / 2;
        PressRecorded Press(Guid org, Guid location, PressType type, bool suppressed = false, DateTimeOffset? when = null) =>
            new(org, location, seed.Device.Device.Id, seed.Staff.Id, Guid.NewGuid(), type, suppressed, when ?? at, now);

        Assert.False(board.Apply([Press(Guid.NewGuid(), seed.Location.Id, PressType.Red)]));
        Assert.False(board.Apply([Press(seed.Org.Id, seed.OtherLocation.Id, PressType.Red)]));
        Assert.True(board.Apply([Press(seed.Org.Id, seed.Location.Id, PressType.Red, suppressed: true)]));
        Assert.True(board.Apply([Press(seed.Org.Id, seed.Location.Id, PressType.Red, when: tile.DayStart.AddSeconds(-1))]));
        Assert.Equal((0L, 0L), (tile.Green, tile.Red));

        var red = Press(seed.Org.Id, seed.Location.Id, PressType.Red);
        Assert.True(board.Apply([red, Press(seed.Org.Id, seed.Location.Id, PressType.Green)]));
        Assert.False(board.Apply([red]));

        Assert.Equal((1L, 1L, 0.5), (tile.Green, tile.Red, tile.Metrics.GreenShare));
        Assert.Equal(4, board.Feed.Count);
        Assert.True(tile.Devices.Single(d => d.Id == seed.Device.Device.Id).IsOnline(now));
    }
}

public sealed class LiveBoardSqliteTests(SqliteApp app) : LiveBoardTests(app), IClassFixture<SqliteApp>;

public sealed class LiveBoardPostgresTests(PostgresApp app) : LiveBoardTests(app), IClassFixture<PostgresApp>;
