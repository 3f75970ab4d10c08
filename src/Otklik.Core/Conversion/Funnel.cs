namespace Otklik.Core.Conversion;

/// <summary>Visitors who left the funnel at a stage for a reason.</summary>
/// <param name="Stage">Stage key; must be one of the funnel's stages (ordinal comparison).</param>
/// <param name="Reason">Reason key from the organization's reason tree.</param>
/// <param name="Count">How many left.</param>
public readonly record struct FunnelExit(string Stage, string Reason, long Count);

/// <summary>Count of exits for one reason.</summary>
/// <param name="Reason">Reason key.</param>
/// <param name="Count">How many left for it.</param>
public sealed record ReasonCount(string Reason, long Count);

/// <summary>One stage of an analysed funnel.</summary>
/// <param name="Stage">Stage key.</param>
/// <param name="Reached">Visitors who reached the stage (entered minus exits at earlier stages).</param>
/// <param name="Exits">Visitors who left at this stage.</param>
/// <param name="DropOffShare">exits / reached, or <see langword="null"/> when nobody reached the stage.</param>
/// <param name="Reasons">Exit reasons, most frequent first (ties by reason key).</param>
public sealed record FunnelStageResult(string Stage, long Reached, long Exits, double? DropOffShare, IReadOnlyList<ReasonCount> Reasons);

/// <summary>A funnel analysis.</summary>
/// <param name="Entered">Visitors who entered the first stage.</param>
/// <param name="Completed">Visitors who passed every stage.</param>
/// <param name="Stages">Stages in order.</param>
/// <param name="BiggestDrop">The stage with the largest drop-off share, or <see langword="null"/> when nobody left.</param>
/// <param name="TopReasons">Up to three most frequent reasons at <paramref name="BiggestDrop"/>.</param>
public sealed record FunnelResult(long Entered, long Completed, IReadOnlyList<FunnelStageResult> Stages, FunnelStageResult? BiggestDrop, IReadOnlyList<ReasonCount> TopReasons);

/// <summary>Funnel drop-off: where visitors leave without buying, and why.</summary>
public static class Funnel
{
    /// <summary>How many reasons <see cref="FunnelResult.TopReasons"/> lists.</summary>
    public const int TopReasonCount = 3;

    /// <summary>
    /// Analyses a funnel. Each stage's drop-off share is exits at the stage / visitors who reached it.
    /// The biggest drop is the stage with the highest drop-off share; ties go to the stage with more exits, then the earlier stage.
    /// </summary>
    /// <param name="stages">Stage keys in funnel order, unique.</param>
    /// <param name="entered">Visitors who entered the first stage.</param>
    /// <param name="exits">Exit counts; several entries for the same stage and reason are summed.</param>
    /// <exception cref="ArgumentException">Stages are empty or repeated, an exit names an unknown stage, or exits exceed the visitors who reached a stage.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static FunnelResult Analyze(IReadOnlyList<string> stages, long entered, IEnumerable<FunnelExit> exits)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(exits);
        ArgumentOutOfRangeException.ThrowIfNegative(entered);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A funnel needs at least one stage.", nameof(stages));
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < stages.Count; i++)
        {
            if (!index.TryAdd(stages[i], i))
            {
                throw new ArgumentException($"Stage '{stages[i]}' is listed twice.", nameof(stages));
            }
        }

        var reasonsByStage = stages.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        foreach (var exit in exits)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(exit.Count, nameof(exits));
            if (exit.Stage is null || !index.TryGetValue(exit.Stage, out var i))
            {
                throw new ArgumentException($"Exit names unknown stage '{exit.Stage}'.", nameof(exits));
            }

            var reasons = reasonsByStage[i];
            reasons.TryGetValue(exit.Reason, out var c);
            reasons[exit.Reason] = checked(c + exit.Count);
        }

        var results = new List<FunnelStageResult>(stages.Count);
        var reached = entered;
        for (var i = 0; i < stages.Count; i++)
        {
            var reasons = reasonsByStage[i]
                .Where(kv => kv.Value > 0)
                .OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ReasonCount(kv.Key, kv.Value))
                .ToList();
            var stageExits = reasons.Sum(r => r.Count);
            if (stageExits > reached)
            {
                throw new ArgumentException($"Stage '{stages[i]}' has {stageExits} exits but only {reached} visitors reached it.", nameof(exits));
            }

            results.Add(new FunnelStageResult(stages[i], reached, stageExits, reached == 0 ? null : (double)stageExits / reached, reasons));
            reached -= stageExits;
        }

        FunnelStageResult? biggest = null;
        foreach (var stage in results)
        {
            if (stage.Exits == 0)
            {
                continue;
            }

            if (biggest is null
                || stage.DropOffShare > biggest.DropOffShare
                || (stage.DropOffShare == biggest.DropOffShare && stage.Exits > biggest.Exits))
            {
                biggest = stage;
            }
        }

        var top = biggest?.Reasons.Take(TopReasonCount).ToList() ?? [];
        return new FunnelResult(entered, reached, results, biggest, top);
    }

    /// <summary>
    /// Analyses recorded conversation outcomes: every outcome entered the funnel; a purchase passed every stage; an exit left
    /// at its stage for its reason (a missing reason counts as <paramref name="unknownReason"/>). Refusals to answer are not
    /// outcomes and must be left out by the caller. Exits at a stage that is no longer configured are analysed as extra
    /// stages after the configured ones, so no recorded exit disappears from the totals.
    /// </summary>
    /// <param name="stages">Configured stage keys in funnel order, unique.</param>
    /// <param name="outcomes">Outcomes: <c>Stage</c> is <see langword="null"/> for a purchase.</param>
    /// <param name="unknownReason">Reason key for exits recorded without a reason.</param>
    public static FunnelResult AnalyzeOutcomes(IReadOnlyList<string> stages, IEnumerable<FunnelOutcome> outcomes, string unknownReason = "unknown")
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(outcomes);
        var all = new List<string>(stages);
        var known = new HashSet<string>(stages, StringComparer.Ordinal);
        long entered = 0;
        var exits = new List<FunnelExit>();
        foreach (var o in outcomes)
        {
            entered++;
            if (o.Stage is null) continue;
            if (known.Add(o.Stage)) all.Add(o.Stage);
            exits.Add(new FunnelExit(o.Stage, o.Reason ?? unknownReason, 1));
        }

        return Analyze(all, entered, exits);
    }
}

/// <summary>One recorded conversation: left at <paramref name="Stage"/> for <paramref name="Reason"/>, or bought (<paramref name="Stage"/> is <see langword="null"/>).</summary>
/// <param name="Stage">Stage key, or <see langword="null"/> for a purchase.</param>
/// <param name="Reason">Reason key, if given.</param>
public readonly record struct FunnelOutcome(string? Stage, string? Reason);
