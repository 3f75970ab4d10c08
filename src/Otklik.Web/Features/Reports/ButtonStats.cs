using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Reports;

/// <summary>How button presses are grouped in a report.</summary>
public enum StatsGrouping
{
    Location,
    Staff,
    /// <summary>Hour of day 0–23 in each location's own time zone.</summary>
    Hour,
    /// <summary>Calendar day in each location's own time zone.</summary>
    Day,
    /// <summary>ISO weekday 1 (Monday) – 7 (Sunday) in each location's own time zone.</summary>
    Weekday,
}

/// <summary>
/// Counts for one group. <paramref name="Green"/> and <paramref name="Red"/> are counted presses; <paramref name="Suppressed"/>
/// ones (repeats within the suppression window) are reported but never counted; <paramref name="Total"/> is all three.
/// <paramref name="GreenShare"/> is green / (green + red), 0..1, null without counted presses.
/// </summary>
public sealed record ButtonStatsRow(string Key, string Label, long Green, long Red, long Suppressed, long Total, double? GreenShare);

public sealed record ButtonStatsTotals(long Green, long Red, long Suppressed, long Total, double? GreenShare);

/// <summary>The answer of <c>GET /api/v1/stats/buttons</c>.</summary>
public sealed record ButtonStatsReport(string From, string To, string GroupBy, Guid? LocationId, IReadOnlyList<ButtonStatsRow> Rows, ButtonStatsTotals Totals);

/// <summary>All groupings of one pass over the presses, plus the totals.</summary>
public sealed class ButtonStatsResult(ButtonStatsTotals totals, IReadOnlyDictionary<StatsGrouping, IReadOnlyList<ButtonStatsRow>> rows)
{
    public ButtonStatsTotals Totals { get; } = totals;
    public IReadOnlyList<ButtonStatsRow> Rows(StatsGrouping grouping) => rows.TryGetValue(grouping, out var r) ? r : [];
    public bool IsEmpty => Totals.Total == 0;
}

/// <summary>
/// Green share per location, employee, hour of day, day and weekday.
/// </summary>
/// <remarks>
/// Hours, days and weekdays are in each location's own time zone. The database keeps instants in UTC (ticks on SQLite,
/// timestamptz on PostgreSQL), and no SQL both providers share can convert to an IANA zone, so the query reads compact
/// rows of the period (location, staff, type, suppressed, instant) and converts each press in C#. Converting per press
/// rather than per UTC hour keeps zones with half- and quarter-hour offsets (Asia/Kolkata, Asia/Kathmandu) right.
/// A year of a few busy locations is a few hundred thousand small rows: well under a second on either provider.
/// When organizations outgrow that, this is the place to read hourly rollups instead.
/// </remarks>
public static class ButtonStats
{
    public const string NotAttributedKey = "none";

    private sealed class Tally
    {
        public long Green, Red, Suppressed;

        public void Add(PressType type, bool suppressed)
        {
            if (suppressed) Suppressed++;
            else if (type == PressType.Green) Green++;
            else Red++;
        }

        public ButtonStatsRow ToRow(string key, string label)
        {
            var t = ToTotals();
            return new ButtonStatsRow(key, label, t.Green, t.Red, t.Suppressed, t.Total, t.GreenShare);
        }

        public ButtonStatsTotals ToTotals() =>
            new(Green, Red, Suppressed, Green + Red + Suppressed, ButtonPresses.Compute(Green, Red).GreenShare);
    }

    private sealed record Place(Guid Id, string Name, TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End);

    public static TimeZoneInfo Zone(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// Counts the presses of the period at the locations the current principal may see (the query filters of
    /// <paramref name="db"/> apply), optionally at one location, for each requested grouping in one pass.
    /// </summary>
    public static async Task<ButtonStatsResult> ComputeAsync(OtklikDb db, ReportPeriod period, Guid? locationId,
        IReadOnlyCollection<StatsGrouping> groupings, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking()
            .Where(l => locationId == null || l.Id == locationId)
            .Select(l => new { l.Id, l.Name, l.TimeZone })
            .ToListAsync(ct);
        var places = locations
            .Select(l => { var zone = Zone(l.TimeZone); var (s, e) = period.In(zone); return new Place(l.Id, l.Name, zone, s, e); })
            .OrderBy(p => p.Name, StringComparer.CurrentCulture).ThenBy(p => p.Id)
            .ToDictionary(p => p.Id);

        var total = new Tally();
        var byLocation = places.Keys.ToDictionary(id => id, _ => new Tally());
        var byStaff = new Dictionary<Guid, Tally>();
        var notAttributed = new Tally();
        var byHour = Enumerable.Range(0, 24).Select(_ => new Tally()).ToArray();
        var byWeekday = Enumerable.Range(0, 7).Select(_ => new Tally()).ToArray();
        var byDay = new SortedDictionary<DateOnly, Tally>();

        if (places.Count > 0)
        {
            var from = places.Values.Min(p => p.Start);
            var to = places.Values.Max(p => p.End);
            var query = db.ButtonPresses.AsNoTracking().Where(p => p.OccurredAt >= from && p.OccurredAt < to);
            if (locationId is { } only) query = query.Where(p => p.LocationId == only);
            var rows = query.Select(p => new { p.LocationId, p.StaffMemberId, p.Type, p.Suppressed, p.OccurredAt }).AsAsyncEnumerable();
            var wantTime = groupings.Any(g => g is StatsGrouping.Hour or StatsGrouping.Day or StatsGrouping.Weekday);
            await foreach (var p in rows.WithCancellation(ct))
            {
                // Presses at a location the principal cannot see never reach here (query filter); a date period ends at different instants per zone.
                if (!places.TryGetValue(p.LocationId, out var place) || p.OccurredAt < place.Start || p.OccurredAt >= place.End) continue;
                total.Add(p.Type, p.Suppressed);
                byLocation[place.Id].Add(p.Type, p.Suppressed);
                var staff = p.StaffMemberId is { } s ? (byStaff.TryGetValue(s, out var st) ? st : byStaff[s] = new Tally()) : notAttributed;
                staff.Add(p.Type, p.Suppressed);
                if (!wantTime) continue;
                var local = TimeZoneInfo.ConvertTime(p.OccurredAt, place.Zone);
                byHour[local.Hour].Add(p.Type, p.Suppressed);
                byWeekday[IsoWeekday(local.DayOfWeek) - 1].Add(p.Type, p.Suppressed);
                var day = DateOnly.FromDateTime(local.DateTime);
                (byDay.TryGetValue(day, out var d) ? d : byDay[day] = new Tally()).Add(p.Type, p.Suppressed);
            }
        }

        var result = new Dictionary<StatsGrouping, IReadOnlyList<ButtonStatsRow>>();
        foreach (var grouping in groupings.Distinct())
        {
            result[grouping] = grouping switch
            {
                StatsGrouping.Location => [.. places.Values.Select(p => byLocation[p.Id].ToRow(p.Id.ToString(), p.Name))],
                StatsGrouping.Staff => await StaffRowsAsync(db, byStaff, notAttributed, ct),
                StatsGrouping.Hour => [.. byHour.Select((t, h) => t.ToRow(h.ToString(CultureInfo.InvariantCulture), $"{h:00}:00"))],
                StatsGrouping.Weekday => [.. byWeekday.Select((t, i) => t.ToRow((i + 1).ToString(CultureInfo.InvariantCulture), FromIso(i + 1).ToString()))],
                StatsGrouping.Day => DayRows(places.Values, byDay),
                _ => [],
            };
        }
        return new ButtonStatsResult(total.ToTotals(), result);
    }

    public static int IsoWeekday(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;

    public static DayOfWeek FromIso(int isoWeekday) => (DayOfWeek)(isoWeekday % 7);

    /// <summary>Every local day of the period, with zeros where nothing was pressed, so a chart shows the quiet days.</summary>
    private static List<ButtonStatsRow> DayRows(IEnumerable<Place> places, SortedDictionary<DateOnly, Tally> byDay)
    {
        var list = places.ToList();
        if (list.Count == 0) return [];
        var first = list.Min(p => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(p.Start, p.Zone).DateTime));
        var last = list.Max(p => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(p.End.AddTicks(-1), p.Zone).DateTime));
        var rows = new List<ButtonStatsRow>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var key = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            rows.Add((byDay.TryGetValue(day, out var t) ? t : new Tally()).ToRow(key, key));
        }
        return rows;
    }

    private static async Task<List<ButtonStatsRow>> StaffRowsAsync(OtklikDb db, Dictionary<Guid, Tally> byStaff, Tally notAttributed, CancellationToken ct)
    {
        var ids = byStaff.Keys.ToList();
        // Someone from another location may have covered a shift here: their name is shown to whoever sees this location's
        // presses, so the location filter is lifted for these ids only, never the organization filter.
        var org = db.Tenant.OrganizationId;
        var system = db.Tenant.IsSystem;
        var names = ids.Count == 0 ? [] : await db.StaffMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(s => (system || s.OrganizationId == org) && ids.Contains(s.Id))
            .Select(s => new { s.Id, s.Name })
            .ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var rows = byStaff
            .Select(kv => kv.Value.ToRow(kv.Key.ToString(), names.GetValueOrDefault(kv.Key, "?")))
            .OrderBy(r => r.Label, StringComparer.CurrentCulture).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        if (notAttributed.Green + notAttributed.Red + notAttributed.Suppressed > 0)
            rows.Add(notAttributed.ToRow(NotAttributedKey, "Not attributed"));
        return rows;
    }
}
