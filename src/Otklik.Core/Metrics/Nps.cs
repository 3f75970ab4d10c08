namespace Otklik.Core.Metrics;

/// <summary>The NPS group an answer on the 0..10 scale falls into.</summary>
public enum NpsCategory
{
    /// <summary>Answers 0..6.</summary>
    Detractor,

    /// <summary>Answers 7..8.</summary>
    Passive,

    /// <summary>Answers 9..10.</summary>
    Promoter,
}

/// <summary>
/// Net Promoter Score over a set of 0..10 answers.
/// </summary>
/// <param name="N">Number of answers.</param>
/// <param name="Promoters">Answers 9..10.</param>
/// <param name="Passives">Answers 7..8.</param>
/// <param name="Detractors">Answers 0..6.</param>
/// <param name="Score">% promoters − % detractors, in points from −100 to 100; <see langword="null"/> when there are no answers.</param>
/// <param name="MarginOfError">Half-width of the 95 % confidence interval, in NPS points; <see langword="null"/> when there are no answers.</param>
public sealed record NpsResult(int N, int Promoters, int Passives, int Detractors, double? Score, double? MarginOfError)
{
    /// <summary>True when at least one answer was counted.</summary>
    public bool HasData => N > 0;
}

/// <summary>
/// The one definition of NPS used everywhere: % promoters (9–10) − % detractors (0–6).
/// </summary>
/// <remarks>
/// Margin of error: each answer is scored +1 (promoter), 0 (passive) or −1 (detractor).
/// With shares p (promoters) and d (detractors) the population variance of that score is
/// <c>var = p + d − (p − d)²</c>, and the 95 % margin of error is <c>1.96 · sqrt(var / n) · 100</c> points.
/// </remarks>
public static class Nps
{
    /// <summary>z value of a two-sided 95 % normal interval.</summary>
    public const double Z95 = 1.96;

    /// <summary>Classifies one answer.</summary>
    /// <param name="answer">An answer on the 0..10 scale.</param>
    /// <exception cref="ArgumentOutOfRangeException">The answer is outside 0..10.</exception>
    public static NpsCategory Classify(int answer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(answer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(answer, 10);
        return answer switch
        {
            >= 9 => NpsCategory.Promoter,
            >= 7 => NpsCategory.Passive,
            _ => NpsCategory.Detractor,
        };
    }

    /// <summary>Computes NPS from raw 0..10 answers.</summary>
    /// <param name="answers">Answers; an empty set gives a "no data" result.</param>
    /// <exception cref="ArgumentOutOfRangeException">Any answer is outside 0..10.</exception>
    public static NpsResult Compute(IEnumerable<int> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        int promoters = 0, passives = 0, detractors = 0;
        foreach (var answer in answers)
        {
            switch (Classify(answer))
            {
                case NpsCategory.Promoter: promoters++; break;
                case NpsCategory.Passive: passives++; break;
                default: detractors++; break;
            }
        }

        return FromCounts(promoters, passives, detractors);
    }

    /// <summary>Computes NPS from already-grouped counts (e.g. from a rollup).</summary>
    /// <param name="promoters">Number of 9..10 answers.</param>
    /// <param name="passives">Number of 7..8 answers.</param>
    /// <param name="detractors">Number of 0..6 answers.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static NpsResult FromCounts(int promoters, int passives, int detractors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promoters);
        ArgumentOutOfRangeException.ThrowIfNegative(passives);
        ArgumentOutOfRangeException.ThrowIfNegative(detractors);
        var n = checked(promoters + passives + detractors);
        if (n == 0)
        {
            return new NpsResult(0, 0, 0, 0, null, null);
        }

        var p = (double)promoters / n;
        var d = (double)detractors / n;
        var mean = p - d;
        // Floating error can push a zero variance a hair below zero.
        var variance = Math.Max(0, p + d - (mean * mean));
        var moe = Z95 * Math.Sqrt(variance / n) * 100;
        // Score from integer counts, so a score that is exactly representable (e.g. 30) is exact and compares cleanly with thresholds.
        var score = 100.0 * (promoters - detractors) / n;
        return new NpsResult(n, promoters, passives, detractors, score, moe);
    }
}
