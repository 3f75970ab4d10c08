using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Statistics;

namespace Otklik.Core.Surveys;

/// <summary>One survey response: the key question score and factor scores (1..5), any of which may be missing.</summary>
/// <param name="KeyScore">Key question score (any numeric scale, e.g. 0..10 or 1..5), or <see langword="null"/> when skipped.</param>
/// <param name="FactorScores">Factor key → score 1..5, or <see langword="null"/>/absent when skipped. Keys are compared ordinally.</param>
public sealed record SurveyResponse(double? KeyScore, IReadOnlyDictionary<string, int?> FactorScores);

/// <summary>Where a factor lands on the importance × satisfaction map.</summary>
public enum DriverQuadrant
{
    /// <summary>Importance could not be computed (fewer than 3 pairs or no variance).</summary>
    Undetermined,

    /// <summary>Importance above the median, satisfaction below: fix this first.</summary>
    Bottleneck,

    /// <summary>Importance above the median, satisfaction at or above: a strength that drives the key score; keep it.</summary>
    GrowthDriver,

    /// <summary>Importance at or below the median, satisfaction below: weak but matters less.</summary>
    Secondary,

    /// <summary>Importance at or below the median, satisfaction at or above: fine as is, possibly over-invested.</summary>
    Maintain,
}

/// <summary>Driver analysis of one factor.</summary>
/// <param name="Factor">Factor key.</param>
/// <param name="N">Responses where both the key question and this factor were answered.</param>
/// <param name="Importance">Pearson correlation with the key score over those responses, −1..1; <see langword="null"/> when undefined.</param>
/// <param name="StandardizedCoefficient">Standardized multiple-regression coefficient (beta), when the regression was computed.</param>
/// <param name="Satisfaction">Mean factor score over the same responses (1..5); <see langword="null"/> when N is 0.</param>
/// <param name="IsLowSample">True when N &lt; <see cref="DriverAnalysis.MinReliableN"/>: read with care.</param>
/// <param name="Quadrant">Position on the importance × satisfaction map.</param>
public sealed record FactorDriver(string Factor, int N, double? Importance, double? StandardizedCoefficient, double? Satisfaction, bool IsLowSample, DriverQuadrant Quadrant);

/// <summary>Result of a driver analysis.</summary>
/// <param name="Responses">Responses given.</param>
/// <param name="RegressionN">Responses with the key score and every factor answered (used by the regression).</param>
/// <param name="RegressionComputed">True when standardized coefficients were computed.</param>
/// <param name="ImportanceMedian">Median importance over factors with one; the quadrant split.</param>
/// <param name="SatisfactionMedian">Median satisfaction over the same factors; the quadrant split.</param>
/// <param name="Factors">Factors, most important first (undetermined last, then by key).</param>
public sealed record DriverAnalysisResult(int Responses, int RegressionN, bool RegressionComputed, double? ImportanceMedian, double? SatisfactionMedian, IReadOnlyList<FactorDriver> Factors);

/// <summary>
/// Key-driver analysis: which factors move the key question, and how satisfied customers are with each.
/// </summary>
/// <remarks>
/// <para><b>Importance</b> is the Pearson correlation between the factor score and the key score, over responses that
/// answered both (pairwise deletion). It needs at least 3 pairs and variance in both; otherwise it is undefined and
/// the factor is <see cref="DriverQuadrant.Undetermined"/>. Correlation is robust to missing answers and easy to explain,
/// but correlated factors share credit.</para>
/// <para><b>Standardized coefficient</b>: when the responses that answered the key question and every factor
/// (listwise deletion) number at least max(<see cref="MinReliableN"/>, 10 × factor count), all columns are z-scored
/// (sample standard deviation) and the key score is regressed on all factors by least squares (QR). The coefficient
/// shows each factor's own contribution with the others held fixed. It is skipped when a column has no variance or
/// the factors are nearly collinear (condition number above 10⁸).</para>
/// <para><b>Satisfaction</b> is the mean factor score over the same pairs as importance.
/// <b>Quadrants</b> split at the medians of importance (correlation) and satisfaction over determined factors:
/// importance strictly above the median is "important", satisfaction strictly below is "low".</para>
/// </remarks>
public static class DriverAnalysis
{
    /// <summary>Below this many answered pairs a factor is flagged <see cref="FactorDriver.IsLowSample"/>.</summary>
    public const int MinReliableN = 30;

    /// <summary>Minimum complete responses per factor for the regression.</summary>
    public const int RegressionResponsesPerFactor = 10;

    private const double MaxConditionNumber = 1e8;

    /// <summary>Runs the analysis.</summary>
    /// <param name="responses">Survey responses.</param>
    /// <param name="factors">Factor keys to analyse, in any order; <see langword="null"/> means every key that appears in the responses.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor score is outside 1..5 or a key score is not finite.</exception>
    public static DriverAnalysisResult Analyze(IReadOnlyList<SurveyResponse> responses, IReadOnlyList<string>? factors = null)
    {
        ArgumentNullException.ThrowIfNull(responses);
        foreach (var r in responses)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(responses));
            ArgumentNullException.ThrowIfNull(r.FactorScores, nameof(responses));
            if (r.KeyScore is { } k && !double.IsFinite(k))
            {
                throw new ArgumentOutOfRangeException(nameof(responses), "Key score must be a finite number.");
            }

            foreach (var score in r.FactorScores.Values)
            {
                if (score is < 1 or > 5)
                {
                    throw new ArgumentOutOfRangeException(nameof(responses), "Factor scores must be 1..5.");
                }
            }
        }

        var factorKeys = (factors ?? responses.SelectMany(r => r.FactorScores.Keys).ToList())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var partial = factorKeys.Select(f => Pairwise(f, responses)).ToList();
        var (regressionN, betas) = Regression(factorKeys, responses);

        var determined = partial.Where(p => p.Importance is not null).ToList();
        double? impMedian = determined.Count == 0 ? null : Median(determined.Select(p => p.Importance!.Value));
        double? satMedian = determined.Count == 0 ? null : Median(determined.Select(p => p.Satisfaction!.Value));

        var result = partial
            .Select((p, i) => p with
            {
                StandardizedCoefficient = betas?[i],
                Quadrant = p.Importance is { } imp
                    ? Classify(imp, p.Satisfaction!.Value, impMedian!.Value, satMedian!.Value)
                    : DriverQuadrant.Undetermined,
            })
            .OrderBy(p => p.Importance is null ? 1 : 0)
            .ThenByDescending(p => p.Importance)
            .ThenBy(p => p.Factor, StringComparer.Ordinal)
            .ToList();

        return new DriverAnalysisResult(responses.Count, regressionN, betas is not null, impMedian, satMedian, result);
    }

    /// <summary>Places a factor on the map given the medians (strict comparisons; see the type remarks).</summary>
    /// <param name="importance">The factor's importance.</param>
    /// <param name="satisfaction">The factor's satisfaction.</param>
    /// <param name="importanceMedian">Median importance over factors.</param>
    /// <param name="satisfactionMedian">Median satisfaction over factors.</param>
    public static DriverQuadrant Classify(double importance, double satisfaction, double importanceMedian, double satisfactionMedian)
    {
        var important = importance > importanceMedian;
        var low = satisfaction < satisfactionMedian;
        return (important, low) switch
        {
            (true, true) => DriverQuadrant.Bottleneck,
            (true, false) => DriverQuadrant.GrowthDriver,
            (false, true) => DriverQuadrant.Secondary,
            (false, false) => DriverQuadrant.Maintain,
        };
    }

    private static FactorDriver Pairwise(string factor, IReadOnlyList<SurveyResponse> responses)
    {
        var keys = new List<double>();
        var scores = new List<double>();
        foreach (var r in responses)
        {
            if (r.KeyScore is { } k && r.FactorScores.TryGetValue(factor, out var s) && s is { } score)
            {
                keys.Add(k);
                scores.Add(score);
            }
        }

        var n = keys.Count;
        double? satisfaction = n == 0 ? null : scores.Average();
        double? importance = null;
        if (n >= 3 && HasVariance(keys) && HasVariance(scores))
        {
            importance = Correlation.Pearson(scores, keys);
        }

        return new FactorDriver(factor, n, importance, null, satisfaction, n < MinReliableN, DriverQuadrant.Undetermined);
    }

    private static (int N, double[]? Betas) Regression(List<string> factors, IReadOnlyList<SurveyResponse> responses)
    {
        var rows = new List<double[]>();
        var ys = new List<double>();
        foreach (var r in responses)
        {
            if (r.KeyScore is not { } k)
            {
                continue;
            }

            var row = new double[factors.Count];
            var complete = true;
            for (var j = 0; j < factors.Count && complete; j++)
            {
                complete = r.FactorScores.TryGetValue(factors[j], out var s) && s is not null;
                row[j] = complete ? s!.Value : 0;
            }

            if (complete)
            {
                rows.Add(row);
                ys.Add(k);
            }
        }

        var n = rows.Count;
        if (factors.Count == 0 || n < Math.Max(MinReliableN, RegressionResponsesPerFactor * factors.Count))
        {
            return (n, null);
        }

        var x = Matrix<double>.Build.DenseOfRowArrays(rows);
        var y = Vector<double>.Build.DenseOfEnumerable(ys);
        if (!Standardize(y))
        {
            return (n, null);
        }

        for (var j = 0; j < x.ColumnCount; j++)
        {
            var column = x.Column(j);
            if (!Standardize(column))
            {
                return (n, null);
            }

            x.SetColumn(j, column);
        }

        if (x.ConditionNumber() > MaxConditionNumber)
        {
            return (n, null);
        }

        return (n, x.QR().Solve(y).ToArray());
    }

    private static bool Standardize(Vector<double> v)
    {
        var mean = v.Mean();
        var sd = v.StandardDeviation();
        if (!(sd > 0))
        {
            return false;
        }

        v.MapInplace(value => (value - mean) / sd);
        return true;
    }

    private static bool HasVariance(List<double> values) => values.Any(v => v != values[0]);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
