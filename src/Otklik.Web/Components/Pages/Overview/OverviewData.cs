using System.Globalization;
using Otklik.Core.Rollups;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;

namespace Otklik.Web.Components.Pages.Overview;

/// <summary>What the overview pages show, all from the rollups through <see cref="MetricsEngine"/>.</summary>
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
        var cells = await MetricsEngine.CellsAsync(db, places, p => (p.Start, p.End), MetricsEngine.Dims.Location | MetricsEngine.Dims.Day,
            MetricsSource.Rollups, NoRawSources, CancellationToken.None, channel: ""); // green share: presses only
        var zones = places.ToDictionary(p => p.Id, p => p.Zone);
        var localDay = MetricsEngine.LocalDays();
        var days = to.DayNumber - from.DayNumber + 1;
        var result = new Dictionary<string, double?[]>();
        foreach (var byLocation in cells.GroupBy(c => c.LocationId))
        {
            var sums = new BucketCounts[days];
            foreach (var c in byLocation)
            {
                var day = localDay(c.HourStartUtc, zones[c.LocationId]).DayNumber - from.DayNumber;
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

/// <summary>The support index of the places <see cref="MetricsEngine"/> reads (one location or all visible) with its trends.</summary>
public static class SupportTrend
{
    public static async Task<Features.Reviews.SupportPeriods> ComputeAsync(OtklikDb db, ReportPeriod period, Guid? location, CancellationToken ct) =>
        (await Features.Reviews.SupportIndexData.WithTrendsAsync(db, await MetricsEngine.PlacesAsync(db, period, location, ct), ct)).Total;
}
