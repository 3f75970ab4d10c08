namespace Otklik.Core.Metrics;

/// <summary>Customer satisfaction over 1..5 answers.</summary>
/// <param name="N">Number of answers.</param>
/// <param name="Satisfied">Answers 4 or 5.</param>
/// <param name="Score">Share of satisfied answers in percent (0..100); <see langword="null"/> when there are no answers.</param>
public sealed record CsatResult(int N, int Satisfied, double? Score)
{
    /// <summary>True when at least one answer was counted.</summary>
    public bool HasData => N > 0;
}

/// <summary>CSAT = share of 4–5 answers on a 1..5 scale, in percent.</summary>
public static class Csat
{
    /// <summary>Computes CSAT from raw 1..5 answers.</summary>
    /// <param name="answers">Answers; an empty set gives a "no data" result.</param>
    /// <exception cref="ArgumentOutOfRangeException">Any answer is outside 1..5.</exception>
    public static CsatResult Compute(IEnumerable<int> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        int n = 0, satisfied = 0;
        foreach (var answer in answers)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(answer, 1, nameof(answers));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(answer, 5, nameof(answers));
            n++;
            if (answer >= 4)
            {
                satisfied++;
            }
        }

        return FromCounts(satisfied, n);
    }

    /// <summary>Computes CSAT from counts.</summary>
    /// <param name="satisfied">Number of 4..5 answers.</param>
    /// <param name="total">Number of all answers.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or satisfied exceeds total.</exception>
    public static CsatResult FromCounts(int satisfied, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(satisfied);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(satisfied, total);
        return new CsatResult(total, satisfied, total == 0 ? null : 100.0 * satisfied / total);
    }
}
