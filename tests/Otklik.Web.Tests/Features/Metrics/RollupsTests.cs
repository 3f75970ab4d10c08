using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Rollups;
using Otklik.Web.Components.Pages.Overview;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Metrics;

/// <summary>
/// Rollups maintained through the real ingestion and feedback paths, on the real database, against the raw events they count.
/// </summary>
public abstract class RollupsTests(OtklikApp app)
{
    /// <summary>A press: which button (0: Main, assigned to Anna; 1: Other, attributed by shift), red?, minutes ago, sent twice?, hammered?</summary>
    private sealed record PressSpec(int Device, bool Red, int MinutesAgo, bool Twice, bool Hammered);

    private sealed record FeedbackSpec(int Location, string Channel, string Sentiment);

    private static readonly Gen<PressSpec> Press = Gen.Select(Gen.Int[0, 1], Gen.Bool, Gen.Int[0, 80 * 24 * 60], Gen.Int[0, 9], Gen.Int[0, 9])
        .Select((d, red, ago, twice, hammer) => new PressSpec(d, red, ago, twice == 0, hammer == 0));

    private static readonly Gen<FeedbackSpec> FeedbackGen = Gen.Select(Gen.Int[0, 1], Gen.OneOfConst("QrPage", "Kiosk", "CallCentre"), Gen.OneOfConst("Positive", "Neutral", "Negative"))
        .Select((l, c, s) => new FeedbackSpec(l, c, s));

    private static readonly Gen<(PressSpec[] Presses, FeedbackSpec[] Feedback)> Data = Gen.Select(Press.Array[0, 60], FeedbackGen.Array[0, 6]);

    private async Task SendAsync(Seed seed, PressSpec[] presses, FeedbackSpec[] feedback)
    {
        var now = DateTimeOffset.UtcNow;
        TestDevice[] devices = [new(app, seed.Device.Device.Id, seed.Device.Token), new(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token)];
        foreach (var group in presses.GroupBy(p => p.Device))
        {
            var events = new List<string>();
            foreach (var p in group)
            {
                var at = now.AddMinutes(-p.MinutesAgo);
                var id = Guid.NewGuid();
                events.Add(TestDevice.Event(id, p.Red ? "red" : "green", at));
                if (p.Twice) events.Add(TestDevice.Event(id, p.Red ? "red" : "green", at));
                if (p.Hammered) events.Add(TestDevice.Event(Guid.NewGuid(), p.Red ? "red" : "green", at.AddSeconds(1)));
            }
            // Two requests, the second repeating part of the first (never empty: an empty batch is refused): what a device does after a lost acknowledgement.
            (await devices[group.Key].PostAsync(TestDevice.Batch(events))).EnsureSuccessStatusCode();
            (await devices[group.Key].PostAsync(TestDevice.Batch(events.Take((events.Count + 1) / 2)))).EnsureSuccessStatusCode();
        }
        using var owner = seed.Org.Owner();
        foreach (var f in feedback)
            (await owner.PostJsonAsync("/api/v1/feedback", new
            {
                locationId = f.Location == 0 ? seed.Location.Id : seed.OtherLocation.Id, channel = f.Channel, sentiment = f.Sentiment, text = "x",
            })).EnsureSuccessStatusCode();
    }

    /// <summary>The hourly, daily, monthly and running-total rows, one line each.</summary>
    private Task<string> RollupRowsAsync(Guid org) => app.WithDbAsync(async db =>
    {
        var hourly = (await db.HourlyRollups.AsNoTracking().ToListAsync()).Select(r => (Time: r.HourStartUtc, Row: (RollupRow)r));
        var daily = (await db.DailyRollups.AsNoTracking().ToListAsync()).Select(r => (Time: r.DayStartUtc, Row: (RollupRow)r));
        var monthly = (await db.MonthlyRollups.AsNoTracking().ToListAsync()).Select(r => (Time: r.MonthStartUtc, Row: (RollupRow)r));
        var running = (await db.RunningRollups.AsNoTracking().ToListAsync()).Select(r => (Time: r.DayStartUtc, Row: (RollupRow)r));
        return string.Join('\n', hourly.Select(x => ("h", x)).Concat(daily.Select(x => ("d", x))).Concat(monthly.Select(x => ("m", x))).Concat(running.Select(x => ("t", x)))
            .OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2.Time).ThenBy(x => x.Item2.Row.LocationId).ThenBy(x => x.Item2.Row.StaffKey)
            .ThenBy(x => x.Item2.Row.Channel, StringComparer.Ordinal)
            .Select(x => (Tier: x.Item1, x.Item2.Time, R: x.Item2.Row))
            .Select(x => string.Create(CultureInfo.InvariantCulture,
                $"{x.Tier} {x.R.LocationId} {x.R.StaffKey} {x.Time:O} {x.R.Channel} g{x.R.Green} r{x.R.Red} s{x.R.Suppressed} v{x.R.Visitors} rc{x.R.Receipts} fp{x.R.FeedbackPositive} fn{x.R.FeedbackNeutral} fx{x.R.FeedbackNegative}")));
    }, org);

    private Task<string> MetricsJsonAsync(Guid org, MetricsGrouping grouping, MetricsSource source) => app.WithDbAsync(async db =>
    {
        var errors = new Errors();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // 85 days: at least one whole UTC month, so every tier is read (months, days, edge hours).
        var period = ReportPeriod.Parse(today.AddDays(-84).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow, errors)!;
        var report = await MetricsEngine.ComputeAsync(db, period, null, grouping, source, app.Services.GetServices<IRollupSource>(), CancellationToken.None);
        return JsonSerializer.Serialize(report);
    }, org);

    /// <summary>
    /// Each location's counts of one channel per local day of the last <paramref name="days"/> days (what the sparklines read:
    /// from the running totals day by day when the days are whole), as text sorted by location and day.
    /// </summary>
    private Task<string> DailyJsonAsync(Guid org, MetricsSource source, string channel, int days = 85) => app.WithDbAsync(async db =>
    {
        // Through tomorrow's UTC date: the locations' own today (Moscow's runs a day ahead of UTC from 21:00 UTC) is always in.
        var last = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        var period = new ReportPeriod(PeriodBound.OfDate(last.AddDays(1 - days)), PeriodBound.OfDate(last));
        var places = await MetricsEngine.PlacesAsync(db, period, null, CancellationToken.None);
        var zones = places.ToDictionary(p => p.Id, p => p.Zone);
        var cells = await MetricsEngine.CellsAsync(db, places, p => (p.Start, p.End), MetricsEngine.Dims.Location | MetricsEngine.Dims.Day, source,
            app.Services.GetServices<IRollupSource>(), CancellationToken.None, channel: channel);
        // Raw cells come per hour, rollup cells per day (at its first hour): both folded into the location's local days.
        var sums = cells.GroupBy(c => (c.LocationId, Day: Rollup.LocalDay(c.HourStartUtc, zones[c.LocationId])))
            .Select(g => (g.Key, Counts: MetricsEngine.Sum(g))).Where(d => d.Counts != default)
            .OrderBy(d => d.Key.LocationId).ThenBy(d => d.Key.Day)
            .Select(d => $"{d.Key.LocationId} {d.Key.Day:yyyy-MM-dd} {d.Counts.Green}/{d.Counts.Red}/{d.Counts.Suppressed}/{d.Counts.FeedbackPositive}/{d.Counts.FeedbackNegative}");
        return string.Join('\n', sums);
    }, org);

    [Fact]
    public async Task RandomPressesAndFeedback_MetricsFromRollups_EqualMetricsFromRawData_AndRebuildReproducesTheTable()
    {
        var bystander = await Seed.CreateAsync(app);
        var bystanderRows = await RollupRowsAsync(bystander.Org.Id);

        await Data.SampleAsync(async data =>
        {
            var seed = await Seed.CreateAsync(app);
            using (var owner = seed.Org.Owner())
                (await owner.PutJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}", new { name = "Other", timeZone = "Asia/Kolkata" })).EnsureSuccessStatusCode();
            await SendAsync(seed, data.Presses, data.Feedback);
            // Main moves to New York time after its events are counted: its local days and months are summed again.
            using (var owner = seed.Org.Owner())
                (await owner.PutJsonAsync($"/api/v1/locations/{seed.Location.Id}", new { name = "Main", timeZone = "America/New_York" })).EnsureSuccessStatusCode();

            foreach (var grouping in Enum.GetValues<MetricsGrouping>())
                Assert.Equal(await MetricsJsonAsync(seed.Org.Id, grouping, MetricsSource.Raw), await MetricsJsonAsync(seed.Org.Id, grouping, MetricsSource.Rollups));
            foreach (var channel in new[] { "", "Kiosk" })
                Assert.Equal(await DailyJsonAsync(seed.Org.Id, MetricsSource.Raw, channel), await DailyJsonAsync(seed.Org.Id, MetricsSource.Rollups, channel));

            var maintained = await RollupRowsAsync(seed.Org.Id);
            using var http = seed.Org.Owner();
            var rebuilt = await (await http.PostJsonAsync("/api/v1/rollups/rebuild", new { from = DateTimeOffset.UtcNow.AddDays(-90), to = DateTimeOffset.UtcNow.AddHours(1) }))
                .ReadAsync<RebuildResult>();
            Assert.Equal(maintained, await RollupRowsAsync(seed.Org.Id));
            var presses = await app.WithDbAsync(db => db.ButtonPresses.CountAsync(), seed.Org.Id);
            var feedback = await app.WithDbAsync(db => db.Feedback.CountAsync(), seed.Org.Id);
            Assert.Equal(presses + feedback, rebuilt.Events);
        }, iter: 3, threads: 1);

        Assert.Equal(bystanderRows, await RollupRowsAsync(bystander.Org.Id));
    }

    [Fact]
    public async Task DaysKeptByUtcDay_AreSummedAgainForTheLocationsLocalDays()
    {
        var seed = await Seed.CreateAsync(app); // Moscow time
        await SendAsync(seed, [new PressSpec(0, false, 3 * 24 * 60, false, false), new PressSpec(0, true, 2 * 24 * 60 + 200, false, false), new PressSpec(1, false, 40, false, false)], []);
        var sound = await RollupRowsAsync(seed.Org.Id);
        Assert.Equal(0, await app.WithDbAsync(db => RollupRebuilder.RealignAsync(db, CancellationToken.None)));

        // As an older version kept them: the Main location's days start at midnight UTC, not Moscow's.
        await app.WithDbAsync(async db =>
        {
            var rows = await db.DailyRollups.Where(r => r.LocationId == seed.Location.Id).ToListAsync();
            db.DailyRollups.RemoveRange(rows);
            await db.SaveChangesAsync();
            db.DailyRollups.AddRange(rows.Select(r => new DailyRollup
            {
                OrganizationId = r.OrganizationId, LocationId = r.LocationId, StaffKey = r.StaffKey, Channel = r.Channel, DayStartUtc = r.DayStartUtc.AddHours(3),
                Green = r.Green, Red = r.Red, Suppressed = r.Suppressed, FeedbackPositive = r.FeedbackPositive, FeedbackNeutral = r.FeedbackNeutral, FeedbackNegative = r.FeedbackNegative,
            }));
            await db.SaveChangesAsync();
        });
        Assert.NotEqual(sound, await RollupRowsAsync(seed.Org.Id));

        // What the application does at startup, as the system: every location's days and months summed again.
        Assert.True(await app.WithDbAsync(db => RollupRebuilder.RealignAsync(db, CancellationToken.None)) >= 2);
        Assert.Equal(sound, await RollupRowsAsync(seed.Org.Id));
    }

    [Fact]
    public async Task ConcurrentWriters_OnNewAndEarlierDays_LeaveTheRunningTotalsARebuildGives()
    {
        var seed = await Seed.CreateAsync(app);
        Guid[] locations = [seed.Location.Id, seed.OtherLocation.Id];
        var now = DateTimeOffset.UtcNow;
        var random = new Random(2026);
        // Rounds of writers at once, as several nodes would ingest: each adds a few events on random days of the last three weeks,
        // so one adds to days another is copying forward, or starts a day another is adding to.
        for (var round = 0; round < 3; round++)
        {
            var batches = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, 3).Select(_ => new TenantEvent(seed.Org.Id, new RollupEvent(
                locations[random.Next(2)], null, now.AddHours(-random.Next(0, 21 * 24)),
                random.Next(3) == 0 ? RollupEventKind.FeedbackPositive : RollupEventKind.GreenPress, Channel: random.Next(3) == 0 ? "Kiosk" : ""))).ToList()).ToList();
            await Task.WhenAll(batches.Select(batch => Task.Run(() => app.WithDbAsync(async db =>
            {
                await using var tx = await db.Database.BeginTransactionAsync();
                await RollupStore.AddAsync(db, batch, CancellationToken.None);
                await tx.CommitAsync();
            }, seed.Org.Id))));
        }

        var maintained = await RollupRowsAsync(seed.Org.Id);
        Assert.Contains("\nt ", maintained, StringComparison.Ordinal);
        await app.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await RollupRebuilder.LockAsync(db, CancellationToken.None);
            await RunningTotals.RebuildAsync(db, locations, CancellationToken.None);
            await tx.CommitAsync();
        }, seed.Org.Id);
        Assert.Equal(maintained, await RollupRowsAsync(seed.Org.Id));
    }

    [Fact]
    public async Task RunningTotals_ReadAsATenant_AreOnlyItsOwnLocations_AndAScopedManagersOnlyTheirs()
    {
        // The running totals are read with a plain command, so the read applies the tenant's filters itself.
        var mine = await Seed.CreateAsync(app);
        var theirs = await Seed.CreateAsync(app);
        PressSpec[] presses = [new(0, false, 30, false, false), new(1, true, 40, false, false)];
        await SendAsync(mine, presses, []);
        await SendAsync(theirs, presses, []);
        Guid[] asked = [mine.Location.Id, mine.OtherLocation.Id, theirs.Location.Id, theirs.OtherLocation.Id];
        // Both reads: the rows of the day just before the instant (tomorrow's start: the presses' day), and the last day before
        // a later instant (two days on: no rows on the day before it); each per channel and summed.
        var zones = await app.WithDbAsync(db => db.Locations.Where(l => asked.Contains(l.Id)).Select(l => l.TimeZone).Distinct().ToListAsync(), null);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Assert.Single(zones));
        var tomorrow = Rollup.DayStart(Rollup.LocalDay(DateTimeOffset.UtcNow, zone).AddDays(1), zone);
        foreach (var (before, perChannel) in new[] { (tomorrow, true), (tomorrow, false), (tomorrow.AddDays(2), true), (tomorrow.AddDays(2), false) })
        {
            Task<Guid[]> SeenAsync(Guid? org, IReadOnlyCollection<Guid>? scope = null) => app.WithDbAsync(async db =>
            {
                if (scope is not null) db.Tenant.SetPrincipal(org!.Value, OtklikRole.LocationManager, null, null, scope);
                return (await RunningTotals.BeforeAsync(db, asked, before, zone, perChannel, CancellationToken.None)).Select(r => r.LocationId).Distinct().Order().ToArray();
            }, org);

            Assert.Equal(asked.Order(), await SeenAsync(null)); // the system sees every one: each has rows
            Assert.Equal(new[] { mine.Location.Id, mine.OtherLocation.Id }.Order(), await SeenAsync(mine.Org.Id));
            Assert.Equal([mine.OtherLocation.Id], await SeenAsync(mine.Org.Id, [mine.OtherLocation.Id]));
        }
    }

    [Fact]
    public async Task MetricsOfEveryLocation_ReadWithoutTheIdList_CountOnlyTheTenantsOwnRows()
    {
        // A report of every location the tenant sees reads the tiers without listing the ids (the tenant's query filter selects
        // the rows): another organization's presses on the same days must not count, in any grouping.
        var mine = await Seed.CreateAsync(app);
        var theirs = await Seed.CreateAsync(app);
        PressSpec[] presses = [new(0, false, 30, false, false), new(1, true, 40, false, false)];
        await SendAsync(mine, presses, []);
        await SendAsync(theirs, [.. presses, new(0, true, 35, false, false), new(1, false, 45, false, false)], []);
        using var owner = mine.Org.Owner();
        foreach (var grouping in Enum.GetValues<MetricsGrouping>())
        {
            var report = await (await owner.GetAsync($"/api/v1/metrics?groupBy={grouping.ToString().ToLowerInvariant()}")).ReadAsync<MetricsReport>();
            Assert.Equal((1, 1), (report.Totals.Counts.Green, report.Totals.Counts.Red));
            Assert.Equal(2, report.Rows.Sum(r => r.Counts.Green + r.Counts.Red));
        }
    }

    [Fact]
    public async Task MetricsOfEveryLocationOfAScopedManager_ReadTheOrganizationsDay_CountOnlyTheirLocations()
    {
        // A manager of two of three locations: their report covers every location they see, so the running totals are read as
        // the organization's whole day; the third location's rows come back from that read and must be dropped.
        var seed = await Seed.CreateAsync(app); // its feedback: one negative at Main
        using var owner = seed.Org.Owner();
        var third = await (await owner.PostJsonAsync("/api/v1/locations", new { name = "Third" })).ReadAsync<Otklik.Web.Features.Locations.LocationDto>(HttpStatusCode.Created);
        await SendAsync(seed, [new(0, false, 30, false, false), new(1, true, 40, false, false)], [new(1, "Kiosk", "Negative")]);
        (await owner.PostJsonAsync("/api/v1/feedback", new { locationId = third.Id, channel = "QrPage", sentiment = "Positive", text = "Good" })).EnsureSuccessStatusCode();
        using var manager = app.WithKey(await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id, third.Id));

        // Whole local days (the running totals answer those; a period of instants would read today from the hourly tier).
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, ButtonStats.Zone(third.TimeZone)).DateTime);
        var period = FormattableString.Invariant($"/api/v1/metrics?from={today.AddDays(-29):yyyy-MM-dd}&to={today:yyyy-MM-dd}");
        var all = await (await owner.GetAsync(period)).ReadAsync<MetricsReport>();
        var theirs = await (await manager.GetAsync(period)).ReadAsync<MetricsReport>();

        Assert.Equal(new MetricsCounts(1, 1, 0, 0, 0, 1, 0, 2), all.Totals.Counts);
        Assert.Equal([seed.Location.Id.ToString(), third.Id.ToString()], theirs.Rows.Select(r => r.Key).Order());
        Assert.Equal(new MetricsCounts(1, 0, 0, 0, 0, 1, 0, 1), theirs.Totals.Counts);
        Assert.Equal((1, 0, 1), (theirs.Rows.Sum(r => r.Counts.Green), theirs.Rows.Sum(r => r.Counts.Red), theirs.Rows.Sum(r => r.Counts.FeedbackPositive)));

        // Their sparklines read the running totals day by day, also as the organization's rows: Other's red press is dropped.
        var sparklines = await app.WithDbAsync(db =>
        {
            db.Tenant.SetPrincipal(seed.Org.Id, OtklikRole.LocationManager, null, null, [seed.Location.Id, third.Id]);
            return OverviewData.SparklinesAsync(db, OverviewData.Period(today.AddDays(-29), today), today.AddDays(-29), today);
        }, seed.Org.Id);
        var line = Assert.Single(sparklines); // Third had no presses
        Assert.Equal(seed.Location.Id.ToString(), line.Key);
        Assert.Equal(1.0, line.Value.Single(v => v is not null));
    }

    /// <summary>The presses of the last 30 whole days (the locations' own) and their count in the last week and the week before.</summary>
    private static async Task<(long Green, long Red, long ThisWeek, long LastWeek)> MonthTotalsAsync(HttpClient client, Seed seed)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, ButtonStats.Zone(seed.Location.TimeZone)).DateTime);
        var report = await (await client.GetAsync(FormattableString.Invariant($"/api/v1/metrics?from={today.AddDays(-29):yyyy-MM-dd}&to={today:yyyy-MM-dd}")))
            .ReadAsync<MetricsReport>();
        var weekOverWeek = report.Totals.Trends.First(t => t.Metric == "greenShare");
        return (report.Totals.Counts.Green, report.Totals.Counts.Red, weekOverWeek.CurrentTrials, weekOverWeek.PreviousTrials);
    }

    [Fact]
    public async Task SettledFirstDay_KeptInMemory_MovesEarlier_WithALatePress()
    {
        // Presses 7 days ago and now: the week before the last starts before the first day, so nothing is read for its start.
        var seed = await Seed.CreateAsync(app);
        await SendAsync(seed, [new(0, false, 7 * 24 * 60, false, false), new(1, true, 7 * 24 * 60, false, false), new(0, false, 30, false, false), new(1, false, 30, false, false)], []);
        using var owner = seed.Org.Owner();
        Assert.Equal((3, 1, 2, 2), await MonthTotalsAsync(owner, seed));

        // A late press 20 days ago moves the first day: the week before the last now starts after it and subtracts that press.
        // A first day kept from before would count it in that week (3).
        (await new TestDevice(app, seed.Device.Device.Id, seed.Device.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "red", DateTimeOffset.UtcNow.AddDays(-20))))
            .EnsureSuccessStatusCode();
        Assert.Equal((3, 2, 2, 2), await MonthTotalsAsync(owner, seed));
    }

    [Fact]
    public async Task SettledDays_ComeFromMemory_UntilALateEventOrARebuildChangesThem()
    {
        // Both locations: a green press 14 days ago, a red one 7 days ago, a green one now. A month's overview reads the running
        // totals of the days before its last week and the week before (7 and 14 days ago: settled, kept in memory) and of today.
        var seed = await Seed.CreateAsync(app);
        var week = 7 * 24 * 60;
        await SendAsync(seed, [.. new[] { 0, 1 }.SelectMany(d => new PressSpec[] { new(d, false, 2 * week, false, false), new(d, true, week, false, false), new(d, false, 30, false, false) })], []);
        using var owner = seed.Org.Owner();
        // A manager of Main and a third location (no presses): a report of every location they see, read as the organization's days.
        var third = await (await owner.PostJsonAsync("/api/v1/locations", new { name = "Third" })).ReadAsync<Otklik.Web.Features.Locations.LocationDto>(HttpStatusCode.Created);
        using var manager = app.WithKey(await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id, third.Id));
        Task<(long Green, long Red, long ThisWeek, long LastWeek)> OverviewAsync(HttpClient client) => MonthTotalsAsync(client, seed);
        Assert.Equal((4, 2, 2, 2), await OverviewAsync(owner));
        // The sparklines' daily counts: the differences of the days' running rows, settled days kept as well.
        Task<string> DailyAsync(MetricsSource source) => DailyJsonAsync(seed.Org.Id, source, "");
        Assert.Equal(await DailyAsync(MetricsSource.Raw), await DailyAsync(MetricsSource.Rollups));

        // A late green press 10 days ago at Main (a bridge agent back online): the day 7 days ago now counts it, so the last
        // week does and this week does not. Kept rows of that day would put it in this week (3, 2).
        (await new TestDevice(app, seed.Device.Device.Id, seed.Device.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green", DateTimeOffset.UtcNow.AddDays(-10))))
            .EnsureSuccessStatusCode();
        Assert.Equal((5, 2, 2, 3), await OverviewAsync(owner));
        var daily = await DailyAsync(MetricsSource.Rollups);
        Assert.Equal(await DailyAsync(MetricsSource.Raw), daily);

        // Settled rows changed behind the stamp's back are not seen: they come from memory. The manager gets only Main's.
        var settled = DateTimeOffset.UtcNow - RunningTotalsCache.SettledAfter;
        Assert.True(await app.WithDbAsync(db => db.RunningRollups.Where(r => r.DayStartUtc < settled).ExecuteUpdateAsync(u => u.SetProperty(r => r.Red, r => r.Red + 100)), seed.Org.Id) >= 4);
        Assert.Equal((5, 2, 2, 3), await OverviewAsync(owner));
        Assert.Equal((3, 1, 1, 2), await OverviewAsync(manager));
        Assert.Equal(daily, await DailyAsync(MetricsSource.Rollups));

        // A press written to the raw table alone (as if its rollup had been lost), then a rebuild: the rebuilt days are read again.
        await app.WithDbAsync(async db =>
        {
            db.ButtonPresses.Add(new ButtonPress
            {
                OrganizationId = seed.Org.Id, LocationId = seed.OtherLocation.Id, DeviceId = seed.OtherDevice.Device.Id, EventId = Guid.NewGuid(),
                Type = PressType.Red, OccurredAt = DateTimeOffset.UtcNow.AddDays(-10), ReceivedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }, seed.Org.Id);
        (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from = DateTimeOffset.UtcNow.AddDays(-30), to = DateTimeOffset.UtcNow.AddHours(1) })).EnsureSuccessStatusCode();
        Assert.Equal((5, 3, 2, 4), await OverviewAsync(owner));
        Assert.Equal(await DailyAsync(MetricsSource.Raw), await DailyAsync(MetricsSource.Rollups));
    }

    [Fact]
    public async Task DailyCountsOfAChannel_StartFromTheLastDayBeforeTheRange_WhenTheDayBeforeHasNoRow()
    {
        // Presses ten days ago and today, none in between: the day before a five-day range has no running row, so its days
        // start from the totals of ten days ago (without that, today would count the earlier press too).
        var seed = await Seed.CreateAsync(app);
        await SendAsync(seed, [new(0, false, 10 * 24 * 60, false, false), new(0, true, 20, false, false), new(1, false, 9 * 24 * 60, false, false)], []);

        var fromRollups = await DailyJsonAsync(seed.Org.Id, MetricsSource.Rollups, "", days: 5);

        Assert.Equal(await DailyJsonAsync(seed.Org.Id, MetricsSource.Raw, "", days: 5), fromRollups);
        Assert.Equal($"{seed.Location.Id} ", fromRollups[..(seed.Location.Id.ToString().Length + 1)]);
        Assert.EndsWith(" 0/1/0/0/0", fromRollups);
    }

    [Fact]
    public async Task PressSentTwice_CountsOnceInRollups()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        var body = TestDevice.Event(Guid.NewGuid(), "green", DateTimeOffset.UtcNow.AddMinutes(-5));

        (await device.PostAsync(body)).EnsureSuccessStatusCode();
        (await device.PostAsync(body)).EnsureSuccessStatusCode();

        var rows = await app.WithDbAsync(db => db.HourlyRollups.AsNoTracking().Where(r => r.LocationId == seed.Location.Id && r.Channel == "").ToListAsync(), seed.Org.Id);
        var row = Assert.Single(rows);
        Assert.Equal(1, row.Green);
        Assert.Equal(seed.Staff.Id, row.StaffMemberId);
    }

    [Fact]
    public async Task Metrics_KnownPressesAndFeedback_GiveGreenShareHappinessPerChannelAndCounts()
    {
        var seed = await Seed.CreateAsync(app); // its feedback: one negative at the kiosk of Main
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        (await device.PostAsync(TestDevice.Batch(
        [
            TestDevice.Event(Guid.NewGuid(), "green", at), TestDevice.Event(Guid.NewGuid(), "green", at.AddMinutes(1)),
            TestDevice.Event(Guid.NewGuid(), "green", at.AddMinutes(2)), TestDevice.Event(Guid.NewGuid(), "red", at.AddMinutes(3)),
            TestDevice.Event(Guid.NewGuid(), "red", at.AddMinutes(3).AddSeconds(1)), // suppressed
        ]))).EnsureSuccessStatusCode();
        using var http = seed.Org.Owner();
        (await http.PostJsonAsync("/api/v1/feedback", new { locationId = seed.Location.Id, channel = "QrPage", sentiment = "Positive", text = "Great" })).EnsureSuccessStatusCode();

        var report = await (await http.GetAsync($"/api/v1/metrics?location={seed.Location.Id}&groupBy=staff")).ReadAsync<MetricsReport>();

        var t = report.Totals;
        Assert.Equal(new MetricsCounts(3, 1, 1, 0, 0, 1, 0, 1), t.Counts);
        Assert.Equal(0.75, t.GreenShare);
        Assert.Null(t.RedRatePer100Receipts);
        Assert.Equal(4.0 / 6, t.HappinessIndex!.Value, 9);
        Assert.Equal(["Buttons 3/4", "CallCentre 0/1", "QrPage 1/1"], t.Channels.Select(c => $"{c.Channel} {c.Positive}/{c.Total}"));
        var anna = Assert.Single(report.Rows, r => r.Key == seed.Staff.Id.ToString());
        Assert.Equal("Anna", anna.Label);
        Assert.Equal(0.75, anna.GreenShare);
        var notAttributed = Assert.Single(report.Rows, r => r.Key == MetricsEngine.NotAttributedKey);
        Assert.Equal(2, notAttributed.Counts.FeedbackPositive + notAttributed.Counts.FeedbackNegative);
        var wow = Assert.Single(t.Trends, x => x.Metric == "greenShare" && x.Kind == Otklik.Core.Metrics.TrendKind.WeekOverWeek);
        Assert.Equal((3, 4, 0, 0), (wow.CurrentSuccesses, wow.CurrentTrials, wow.PreviousSuccesses, wow.PreviousTrials));
        Assert.True(wow.WithinNoise);
        Assert.Null(wow.Change);
    }

    [Fact]
    public async Task Metrics_BadInput_Is400_ForeignOrUnknownLocation_Is404()
    {
        var seed = await Seed.CreateAsync(app);
        var stranger = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        Assert.Contains("groupby", (await (await http.GetAsync("/api/v1/metrics?groupBy=month")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("location", (await (await http.GetAsync("/api/v1/metrics?location=nope")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("from", (await (await http.GetAsync("/api/v1/metrics?from=2026-13-01")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/metrics?location={stranger.Location.Id}")).StatusCode);
        foreach (var g in MetricsApi.GroupByValues)
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/metrics?groupBy={g}")).StatusCode);
    }

    [Fact]
    public async Task Rebuild_OnlyOwners_AndBadRangesAre400()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        using var viewer = app.WithKey(seed.ApiKey.Key);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync("/api/v1/rollups/rebuild", new { from = "2026-01-01T00:00:00Z", to = "2026-01-02T00:00:00Z" })).StatusCode);
        Assert.Contains("to", (await (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from = "2026-01-02T00:00:00Z", to = "2026-01-01T00:00:00Z" })).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("from", (await (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { to = "2026-01-01T00:00:00Z" })).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("to", (await (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from = "2020-01-01T00:00:00Z", to = "2026-01-01T00:00:00Z" })).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }
}

public sealed class RollupsSqliteTests(SqliteApp app) : RollupsTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class RollupsPostgresTests(PostgresApp app) : RollupsTests(app), IClassFixture<PostgresApp>
{
    private readonly PostgresApp app = app;

    [Fact]
    public async Task Rebuild_AnalyzesTheRollupTables()
    {
        // Without statistics (autovacuum is locked out during a rebuild) the running-total upsert was planned as a whole-table scan.
        var seed = await Seed.CreateAsync(app);
        // Each statement outside a transaction reads the statistics afresh.
        Task<Dictionary<string, long>> AnalyzedAsync() => app.WithDbAsync(db => db.Database
            .SqlQueryRaw<TableStat>("SELECT relname::text AS \"Name\", analyze_count AS \"Analyzed\" FROM pg_stat_user_tables WHERE relname LIKE '%Rollups'")
            .ToDictionaryAsync(t => t.Name, t => t.Analyzed), null);
        var before = await AnalyzedAsync();
        using var owner = seed.Org.Owner();
        (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from = DateTimeOffset.UtcNow.AddDays(-2), to = DateTimeOffset.UtcNow })).EnsureSuccessStatusCode();
        var after = await AnalyzedAsync();
        Assert.Equal(4, after.Count);
        Assert.All(after, t => Assert.True(t.Value > before.GetValueOrDefault(t.Key), $"{t.Key} was not analyzed"));
    }

    private sealed record TableStat(string Name, long Analyzed);
}
