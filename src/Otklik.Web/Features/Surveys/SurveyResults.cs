using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Core.Surveys;
using Otklik.Web.Data;
using Otklik.Web.Features.Reasons;
using CoreResponse = Otklik.Core.Surveys.SurveyResponse;

namespace Otklik.Web.Features.Surveys;

/// <summary>One factor on the importance × satisfaction map.</summary>
/// <param name="N">Responses that answered both this factor and the key question.</param>
/// <param name="Importance">Pearson correlation with the key score (−1..1), null when it cannot be computed.</param>
/// <param name="StandardizedCoefficient">Standardized regression coefficient, when the regression ran.</param>
/// <param name="Satisfaction">Mean score 1..5 over the same responses.</param>
/// <param name="IsLowSample">N is below <see cref="DriverAnalysis.MinReliableN"/>: read with care.</param>
public sealed record FactorResult(
    Guid QuestionId, string TextRu, string TextEn, Guid? ReasonId, Servqual? Dimension,
    int N, double? Importance, double? StandardizedCoefficient, double? Satisfaction, bool IsLowSample, DriverQuadrant Quadrant);

/// <summary>
/// A survey's results over a period and (optionally) one location: the key metric with its n and margin of error,
/// refusals, and the driver analysis of every factor.
/// </summary>
/// <param name="Responses">All responses, refusals included.</param>
/// <param name="Declined">"Did not want to answer".</param>
/// <param name="DeclineRate">Declined / responses in percent; null without responses.</param>
/// <param name="Nps">For an NPS survey: NPS over the key answers.</param>
/// <param name="Csat">For a CSAT survey: share of 4–5 answers.</param>
/// <param name="KeyMean">Mean key score over answered responses.</param>
/// <param name="LowSampleWarning">True when any factor has fewer than <paramref name="MinReliableN"/> pairs.</param>
public sealed record SurveyResultsDto(
    Guid SurveyId, KeyQuestionKind KeyKind, DateTimeOffset? From, DateTimeOffset? To, Guid? LocationId,
    int Responses, int Declined, double? DeclineRate, NpsResult? Nps, CsatResult? Csat, double? KeyMean,
    int RegressionN, bool RegressionComputed, double? ImportanceMedian, double? SatisfactionMedian,
    int MinReliableN, bool LowSampleWarning, IReadOnlyList<FactorResult> Factors);

public static class SurveyResults
{
    /// <summary>Reads the responses through the caller's tenant and location filters and computes the results with the core metrics.</summary>
    public static async Task<SurveyResultsDto> ComputeAsync(OtklikDb db, Survey survey, Guid? locationId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var query = db.SurveyResponses.AsNoTracking().Where(r => r.SurveyId == survey.Id);
        if (locationId is { } l) query = query.Where(r => r.LocationId == l);
        if (from is { } f) query = query.Where(r => r.CreatedAt >= f);
        if (to is { } t) query = query.Where(r => r.CreatedAt < t);
        var rows = await query.Select(r => new { r.Id, r.Declined, r.KeyScore }).ToListAsync(ct);
        // The answers of the selected responses; a join keeps the query independent of how many there are.
        var answers = await db.SurveyAnswers.AsNoTracking()
            .Where(a => query.Any(r => r.Id == a.ResponseId && !r.Declined))
            .Select(a => new { a.ResponseId, a.QuestionId, a.Score }).ToListAsync(ct);
        var byResponse = answers.ToLookup(a => a.ResponseId);

        var answered = rows.Where(r => !r.Declined && r.KeyScore is not null).ToList();
        var keys = answered.Select(r => r.KeyScore!.Value).ToList();
        var responses = answered
            .Select(r => new CoreResponse(r.KeyScore, byResponse[r.Id].ToDictionary(a => Key(a.QuestionId), a => (int?)a.Score, StringComparer.Ordinal)))
            .ToList();
        return Build(survey, locationId, from, to, rows.Count, rows.Count(r => r.Declined), keys, responses);
    }

    /// <summary>The pure part: counts and the driver analysis over already-loaded answers (tests compute the same from their own data).</summary>
    public static SurveyResultsDto Build(Survey survey, Guid? locationId, DateTimeOffset? from, DateTimeOffset? to,
        int total, int declined, IReadOnlyList<int> keyScores, IReadOnlyList<CoreResponse> responses)
    {
        var questions = survey.Questions.OrderBy(q => q.SortOrder).ToList();
        var analysis = DriverAnalysis.Analyze(responses, questions.Select(q => Key(q.Id)).ToList());
        var byKey = questions.ToDictionary(q => Key(q.Id));
        var factors = analysis.Factors.Select(d =>
        {
            var q = byKey[d.Factor];
            return new FactorResult(q.Id, q.TextRu, q.TextEn, q.ReasonId, q.Dimension, d.N, d.Importance, d.StandardizedCoefficient, d.Satisfaction, d.IsLowSample, d.Quadrant);
        }).ToList();
        return new SurveyResultsDto(
            survey.Id, survey.KeyKind, from, to, locationId, total, declined, total == 0 ? null : 100.0 * declined / total,
            survey.KeyKind == KeyQuestionKind.Nps ? Nps.Compute(keyScores) : null,
            survey.KeyKind == KeyQuestionKind.Csat ? Csat.Compute(keyScores) : null,
            keyScores.Count == 0 ? null : keyScores.Average(),
            analysis.RegressionN, analysis.RegressionComputed, analysis.ImportanceMedian, analysis.SatisfactionMedian,
            DriverAnalysis.MinReliableN, factors.Any(f => f.IsLowSample), factors);
    }

    public static string Key(Guid questionId) => questionId.ToString("N", CultureInfo.InvariantCulture);
}
