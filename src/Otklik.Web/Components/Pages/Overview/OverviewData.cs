using System.Globalization;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;

namespace Otklik.Web.Components.Pages.Overview;

/// <summary>What the overview pages show, all from the hourly rollups through <see cref="MetricsEngine"/>.</summary>
public static class OverviewData
{
    public static readonly IRollupSource[] NoRawSources = [];

    public static ReportPeriod Period(DateOnly from, DateOnly to) => new(PeriodBound.OfDate(from), PeriodBound.OfDate(to));

    public static Task<MetricsReport> ReportAsync(OtklikDb db, ReportPeriod period, Guid? location, MetricsGrouping grouping, Guid? staff = null) =>
        MetricsEngine.ComputeAsync(db, period, location, grouping, MetricsSource.Rollups, NoRawSources, CancellationToken.None, staff);

    /// <summary>Daily green share per location (local days), for sparklines.</summary>
    public static async Task<Dictionary<string, double?[]>> SparklinesAsync(OtklikDb db, ReportPeriod period, DateOnly from, DateOnly to)
    {
        var places = await MetricsEngine.PlacesAsync(db, period, null, CancellationToken.None);
        var cells = await MetricsEngine.CellsAsync(db, places, p => (p.Start, p.End), MetricsEngine.Dims.Location | MetricsEngine.Dims.Hour,
            MetricsSource.Rollups, NoRawSources, CancellationToken.None);
        var zones = places.ToDictionary(p => p.Id, p => p.Zone);
        var days = to.DayNumber - from.DayNumber + 1;
        var result = new Dictionary<string, double?[]>();
        foreach (var byLocation in cells.GroupBy(c => c.LocationId))
        {
            var sums = new BucketCounts[days];
            foreach (var c in byLocation)
            {
                var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.HourStartUtc, zones[c.LocationId]).DateTime).DayNumber - from.DayNumber;
                if (day >= 0 && day < days) sums[day] = sums[day].Merge(c.Counts);
            }
            result[byLocation.Key.ToString()] = [.. sums.Select(s => RollupMetrics.GreenShare(s).Value)];
        }
        return result;
    }

    public static string Day(string key) =>
        DateOnly.ParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString(
            System.Text.RegularExpressions.Regex.Replace(CultureInfo.CurrentCulture.DateTimeFormat.ShortDatePattern, @"[^dM]*y+[^dM]*", ""), CultureInfo.CurrentCulture);

    /// <summary>Best and worst rows by green share among rows with at least <paramref name="minPresses"/> counted presses.</summary>
    public static (List<MetricsRow> Best, List<MetricsRow> Worst) Extremes(IEnumerable<MetricsRow> rows, int take = 3, long minPresses = 10)
    {
        var ranked = rows.Where(r => r.GreenShare is not null && r.Counts.Green + r.Counts.Red >= minPresses && r.Key != MetricsEngine.NotAttributedKey)
            .OrderByDescending(r => r.GreenShare).ThenBy(r => r.Label, StringComparer.CurrentCulture).ToList();
        // The top half at most is "best" and the bottom half at most "worst", so two locations give one of each.
        var best = ranked.Take(Math.Min(take, (ranked.Count + 1) / 2)).ToList();
        var worst = ranked.AsEnumerable().Reverse().Take(Math.Min(take, ranked.Count / 2)).ToList();
        return (best, worst);
    }
}

/// <summary>The support index of a period with the same comparisons as the other metrics' trends: the last 7 days against the
/// 7 before, and the period against the same period a year earlier.</summary>
public sealed record SupportTrend(Otklik.Core.Metrics.SupportIndexResult Period, Otklik.Core.Metrics.SupportIndexResult ThisWeek,
    Otklik.Core.Metrics.SupportIndexResult LastWeek, Otklik.Core.Metrics.SupportIndexResult LastYear)
{
    public Otklik.Core.Reports.DigestChange WeekOverWeek => Otklik.Core.Reports.Digests.Change(ThisWeek.PerThousandCustomers, LastWeek.PerThousandCustomers);
    public Otklik.Core.Reports.DigestChange YearOverYear => Otklik.Core.Reports.Digests.Change(Period.PerThousandCustomers, LastYear.PerThousandCustomers);

    /// <summary>Through <see cref="Features.Reviews.SupportIndexData"/>, over the places <see cref="MetricsEngine"/> reads (one location or all visible).</summary>
    public static async Task<SupportTrend> ComputeAsync(OtklikDb db, ReportPeriod period, Guid? location, CancellationToken ct)
    {
        var places = await MetricsEngine.PlacesAsync(db, period, location, ct);
        async Task<Otklik.Core.Metrics.SupportIndexResult> At(Func<Place, (DateTimeOffset Start, DateTimeOffset End)> range)
        {
            var shifted = places.Select(p => range(p) is var (s, e) ? p with { Start = s, End = e } : p).Where(p => p.Start < p.End).ToList();
            return Features.Reviews.SupportIndexData.Total((await Features.Reviews.SupportIndexData.ComputeAsync(db, shifted, ct)).Values);
        }
        static DateTimeOffset WeekStart(Place p) => p.End - MetricsEngine.Week > p.Start ? p.End - MetricsEngine.Week : p.Start;
        return new SupportTrend(
            await At(p => (p.Start, p.End)),
            await At(p => (WeekStart(p), p.End)),
            await At(p => (WeekStart(p) - MetricsEngine.Week, WeekStart(p))),
            await At(p => (p.Start.AddYears(-1), p.End.AddYears(-1))));
    }
}
