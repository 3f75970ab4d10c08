using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Core.Reports;
using CoreDigests = Otklik.Core.Reports.Digests;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Surveys;

namespace Otklik.Web.Features.Digests;

/// <summary>The numbers of one location (or all together) in one period; the green share and the happiness index also as counts, for the noise test.</summary>
public sealed record DigestNumbers(long Presses, double? GreenShare, double? RedRatePer100Receipts, NpsResult Nps, double? HappinessIndex, SupportIndexResult? SupportIndex,
    Proportion GreenVotes = default, Proportion HappyVotes = default)
{
    public static readonly DigestNumbers Empty = new(0, null, null, Otklik.Core.Metrics.Nps.Compute([]), null, null);
}

public sealed record DigestCause(string Name, long Count);

/// <summary>A location (or the total, <see cref="LocationId"/> null) with this period's and the previous period's numbers.</summary>
public sealed record DigestSection(Guid? LocationId, string Name, DigestNumbers Current, DigestNumbers Previous, IReadOnlyList<DigestCause> TopCauses)
{
    public DigestChange Presses => CoreDigests.Change(Current.Presses, Previous.Presses);
    /// <summary>The green share, within noise when the two-proportion z-test finds no significant change (<see cref="Trends"/>).</summary>
    public DigestChange GreenShare => CoreDigests.Change(Current.GreenShare, Previous.GreenShare)
        with { WithinNoise = Trends.Compare(TrendKind.PreviousPeriod, Current.GreenVotes, Previous.GreenVotes).IsWithinNoise };
    public DigestChange RedRate => CoreDigests.Change(Current.RedRatePer100Receipts, Previous.RedRatePer100Receipts);
    public DigestChange Nps => CoreDigests.Change(Current.Nps.Score, Previous.Nps.Score);
    public DigestChange Happiness => CoreDigests.Change(Current.HappinessIndex, Previous.HappinessIndex)
        with { WithinNoise = Trends.Compare(TrendKind.PreviousPeriod, Current.HappyVotes, Previous.HappyVotes).IsWithinNoise };
    /// <summary>The support index per 1,000 customers, with the noise flag of <see cref="SupportTrend"/>.</summary>
    public DigestChange Support => CoreDigests.Change(Current.SupportIndex?.PerThousandCustomers, Previous.SupportIndex?.PerThousandCustomers)
        with { WithinNoise = SupportTrend.IsWithinNoise };

    /// <summary>The support index against the previous period through the core's rate comparison (unknown customers: no change, noise).</summary>
    public SupportIndexTrend SupportTrend => Otklik.Core.Metrics.SupportIndex.Compare(TrendKind.PreviousPeriod,
        Current.SupportIndex ?? Unknown, Previous.SupportIndex ?? Unknown);

    private static readonly SupportIndexResult Unknown = Otklik.Core.Metrics.SupportIndex.Compute(0, null);
}

/// <summary>What a digest (e-mail and PDF) says: per location and in total, with changes against the previous period of the same length.</summary>
public sealed record DigestReport(string Organization, string Language, DigestPeriod Period, IReadOnlyList<DigestSection> Locations, DigestSection Total);

/// <summary>
/// Builds a digest through the same code as the dashboards: <see cref="MetricsEngine"/> (rollups, support index),
/// <see cref="Nps"/> over the NPS surveys' answers and <see cref="CauseReports"/> for the causes. Reads through the caller's
/// tenant and location filters, so a location manager's digest covers their locations only.
/// </summary>
public static class DigestBuilder
{
    public const int TopCauses = 3;

    public static ReportPeriod ReportPeriodOf(DigestPeriod p) => new(PeriodBound.OfDate(p.From), PeriodBound.OfDate(p.To));

    public static async Task<DigestReport> BuildAsync(OtklikDb db, DigestPeriod period, Guid? locationId, string language, CancellationToken ct)
    {
        var org = await db.Organizations.AsNoTracking().Select(o => new { o.Name, o.TimeZone }).FirstAsync(ct);
        var (current, currentTotal, names) = await NumbersAsync(db, period, locationId, ct);
        var (previous, previousTotal, _) = await NumbersAsync(db, period.Previous, locationId, ct);
        var zone = ButtonStats.Zone(org.TimeZone);

        var sections = new List<DigestSection>();
        foreach (var (id, name) in names)
            sections.Add(new DigestSection(id, name, current.GetValueOrDefault(id, DigestNumbers.Empty), previous.GetValueOrDefault(id, DigestNumbers.Empty),
                await CausesAsync(db, period, zone, id, language, ct)));
        var total = new DigestSection(null, "", currentTotal, previousTotal,
            locationId is null ? await CausesAsync(db, period, zone, null, language, ct) : sections.FirstOrDefault()?.TopCauses ?? []);
        return new DigestReport(org.Name, language, period, sections, total);
    }

    private static async Task<(Dictionary<Guid, DigestNumbers> ByLocation, DigestNumbers Total, List<(Guid Id, string Name)> Names)> NumbersAsync(
        OtklikDb db, DigestPeriod period, Guid? locationId, CancellationToken ct)
    {
        var rp = ReportPeriodOf(period);
        var report = await MetricsEngine.ComputeAsync(db, rp, locationId, MetricsGrouping.Location, MetricsSource.Rollups, [], ct);
        var places = await MetricsEngine.PlacesAsync(db, rp, locationId, ct);
        var answers = await NpsAnswersAsync(db, places, ct);
        var byLocation = new Dictionary<Guid, DigestNumbers>();
        foreach (var row in report.Rows)
        {
            var id = Guid.Parse(row.Key);
            byLocation[id] = Numbers(row, answers.TryGetValue(id, out var a) ? a : []);
        }
        var total = Numbers(report.Totals, [.. answers.Values.SelectMany(a => a)]);
        return (byLocation, total, [.. report.Rows.Select(r => (Guid.Parse(r.Key), r.Label))]);
    }

    private static DigestNumbers Numbers(MetricsRow row, IReadOnlyList<int> npsAnswers) =>
        new(row.Counts.Green + row.Counts.Red, row.GreenShare, row.RedRatePer100Receipts, Nps.Compute(npsAnswers), row.HappinessIndex, row.SupportIndex,
            new Proportion(row.Counts.Green, row.Counts.Green + row.Counts.Red), new Proportion(row.Channels.Sum(c => c.Positive), row.Channels.Sum(c => c.Total)));

    /// <summary>Answers to the key question of NPS surveys at each place within its own period (the period as the metrics read it).</summary>
    private static async Task<Dictionary<Guid, List<int>>> NpsAnswersAsync(OtklikDb db, IReadOnlyList<Place> places, CancellationToken ct)
    {
        if (places.Count == 0) return [];
        var ids = places.Select(p => p.Id).ToList();
        var (min, max) = (places.Min(p => p.Start), places.Max(p => p.End));
        var npsSurveys = db.Surveys.Where(s => s.KeyKind == KeyQuestionKind.Nps).Select(s => s.Id);
        var rows = await db.SurveyResponses.AsNoTracking()
            .Where(r => !r.Declined && r.KeyScore != null && EF.Parameter(ids).Contains(r.LocationId) && r.CreatedAt >= min && r.CreatedAt < max && npsSurveys.Contains(r.SurveyId))
            .Select(r => new { r.LocationId, r.CreatedAt, Score = r.KeyScore!.Value }).ToListAsync(ct);
        var byId = places.ToDictionary(p => p.Id);
        return rows.Where(r => r.CreatedAt >= byId[r.LocationId].Start && r.CreatedAt < byId[r.LocationId].End)
            .GroupBy(r => r.LocationId).ToDictionary(g => g.Key, g => g.Select(r => r.Score).ToList());
    }

    /// <summary>The most frequent reasons customers chose on negative feedback (the causes report's "reasons" source).</summary>
    private static async Task<List<DigestCause>> CausesAsync(OtklikDb db, DigestPeriod period, TimeZoneInfo zone, Guid? locationId, string language, CancellationToken ct)
    {
        var rp = ReportPeriodOf(period);
        var (start, end) = rp.In(zone);
        var report = await CauseReports.ComputeAsync(db, new CauseReports.Filter(rp, start, end, locationId, null, false, CauseReports.FromReasons, language), ct);
        return [.. report.Pareto.Take(TopCauses).Select(p => new DigestCause(p.Name, p.Count))];
    }
}
