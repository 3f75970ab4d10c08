using Otklik.Core.Metrics;

namespace Otklik.Core.Reports;

/// <summary>One cause in a Pareto ranking.</summary>
/// <param name="Cause">The cause (a reason id, a root-cause node…).</param>
/// <param name="Count">How many complaints had this cause.</param>
/// <param name="Share">Count / total.</param>
/// <param name="CumulativeShare">Share of this cause and every cause ranked above it; the last row is exactly 1.</param>
public sealed record ParetoRow<TKey>(TKey Cause, long Count, double Share, double CumulativeShare);

/// <summary>How often a cause occurred in each bucket (day, week…) of a period.</summary>
/// <param name="Cause">The cause.</param>
/// <param name="Counts">Count per bucket, oldest first.</param>
public sealed record CauseTrend<TKey>(TKey Cause, IReadOnlyList<long> Counts);

/// <summary>A cause with its growth against the previous period of the same length.</summary>
/// <param name="Cause">The cause.</param>
/// <param name="Count">Count in the current period.</param>
/// <param name="PreviousCount">Count in the previous period of equal length.</param>
/// <param name="Growth">(Count + 1) / (PreviousCount + 1): 1 = steady, 2 = doubled; add-one so a new cause does not divide by zero.</param>
/// <param name="Score">Count × Growth: big and growing causes first.</param>
public sealed record Bottleneck<TKey>(TKey Cause, long Count, long PreviousCount, double Growth, double Score);

/// <summary>Durations (e.g. time to first response) against their SLA.</summary>
/// <param name="Count">How many durations.</param>
/// <param name="Median">Median (mean of the two middle values for an even count); null when there are none.</param>
/// <param name="P90">90th percentile by the nearest-rank method (the ⌈0.9·n⌉-th smallest); null when there are none.</param>
/// <param name="WithinSla">Among durations with an SLA, how many took at most the allowed time.</param>
public sealed record DurationStats(int Count, TimeSpan? Median, TimeSpan? P90, Proportion WithinSla);

/// <summary>Root-cause reports: Pareto ranking, trends per bucket, bottlenecks, times against SLA, customers informed.</summary>
public static class RootCauses
{
    /// <summary>
    /// Ranks causes by count, highest first (ties by <paramref name="tieBreak"/>, default ordering of the key), with
    /// each cause's share and the cumulative share. Causes with a zero count are left out.
    /// </summary>
    /// <param name="counts">Count per cause; a cause listed twice is summed.</param>
    /// <param name="tieBreak">Order of causes with equal counts.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public static IReadOnlyList<ParetoRow<TKey>> Pareto<TKey>(IEnumerable<KeyValuePair<TKey, long>> counts, IComparer<TKey>? tieBreak = null) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(counts);
        var sums = new Dictionary<TKey, long>();
        foreach (var (cause, count) in counts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(counts));
            sums[cause] = sums.GetValueOrDefault(cause) + count;
        }
        var ranked = sums.Where(s => s.Value > 0).OrderByDescending(s => s.Value).ThenBy(s => s.Key, tieBreak ?? Comparer<TKey>.Default).ToList();
        var total = ranked.Sum(s => s.Value);
        var rows = new List<ParetoRow<TKey>>(ranked.Count);
        long running = 0;
        foreach (var (cause, count) in ranked)
        {
            running += count;
            // Integer running sums divided once: non-decreasing, and exactly 1 at the end.
            rows.Add(new ParetoRow<TKey>(cause, count, (double)count / total, (double)running / total));
        }
        return rows;
    }

    /// <summary>The bucket an instant falls in, counting whole <paramref name="size"/>s from <paramref name="start"/>; -1 before the start.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bucket size of zero or less.</exception>
    public static int BucketOf(DateTimeOffset at, DateTimeOffset start, TimeSpan size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero, nameof(size));
        if (at < start) return -1;
        var index = (at - start).Ticks / size.Ticks;
        return index > int.MaxValue ? int.MaxValue : (int)index;
    }

    /// <summary>Counts each cause per bucket. Events outside 0…buckets−1 are ignored. Causes are ordered by their total, highest first.</summary>
    /// <param name="events">Cause and bucket index of each event.</param>
    /// <param name="buckets">Number of buckets.</param>
    /// <param name="tieBreak">Order of causes with equal totals.</param>
    public static IReadOnlyList<CauseTrend<TKey>> Trend<TKey>(IEnumerable<(TKey Cause, int Bucket)> events, int buckets, IComparer<TKey>? tieBreak = null) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegative(buckets);
        var counts = new Dictionary<TKey, long[]>();
        foreach (var (cause, bucket) in events)
        {
            if (bucket < 0 || bucket >= buckets) continue;
            if (!counts.TryGetValue(cause, out var row)) counts[cause] = row = new long[buckets];
            row[bucket]++;
        }
        return counts.OrderByDescending(c => c.Value.Sum()).ThenBy(c => c.Key, tieBreak ?? Comparer<TKey>.Default)
            .Select(c => new CauseTrend<TKey>(c.Key, c.Value)).ToList();
    }

    /// <summary>
    /// Bottlenecks: causes of the current period scored by count × growth, where growth = (current + 1) / (previous + 1)
    /// against the previous period of the same length. Highest score first; causes absent from the current period are left out.
    /// </summary>
    public static IReadOnlyList<Bottleneck<TKey>> Bottlenecks<TKey>(IReadOnlyDictionary<TKey, long> current, IReadOnlyDictionary<TKey, long> previous, IComparer<TKey>? tieBreak = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        return current.Where(c => c.Value > 0).Select(c =>
            {
                var before = previous.GetValueOrDefault(c.Key);
                ArgumentOutOfRangeException.ThrowIfNegative(before, nameof(previous));
                var growth = (c.Value + 1.0) / (before + 1.0);
                return new Bottleneck<TKey>(c.Key, c.Value, before, growth, c.Value * growth);
            })
            .OrderByDescending(b => b.Score).ThenBy(b => b.Cause, tieBreak ?? Comparer<TKey>.Default).ToList();
    }

    /// <summary>Median, 90th percentile and share within SLA of finished durations (first response, resolution).</summary>
    /// <param name="items">Each duration with the time allowed for it (null: no SLA applies, not counted in the share).</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative duration.</exception>
    public static DurationStats Durations(IEnumerable<(TimeSpan Duration, TimeSpan? Allowed)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        foreach (var (d, _) in list) ArgumentOutOfRangeException.ThrowIfLessThan(d, TimeSpan.Zero, nameof(items));
        var sorted = list.Select(i => i.Duration).Order().ToList();
        TimeSpan? median = null, p90 = null;
        if (sorted.Count > 0)
        {
            var mid = sorted.Count / 2;
            median = sorted.Count % 2 == 1 ? sorted[mid] : TimeSpan.FromTicks((sorted[mid - 1].Ticks + sorted[mid].Ticks) / 2);
            p90 = sorted[(int)Math.Ceiling(0.9 * sorted.Count) - 1];
        }
        var withSla = list.Where(i => i.Allowed is not null).ToList();
        return new DurationStats(list.Count, median, p90, new Proportion(withSla.Count(i => i.Duration <= i.Allowed!.Value), withSla.Count));
    }

    /// <summary>Share of complaints that ended with the customer informed (answered or told what changed).</summary>
    public static Proportion CustomersInformed(IEnumerable<bool> informed)
    {
        ArgumentNullException.ThrowIfNull(informed);
        long yes = 0, all = 0;
        foreach (var i in informed)
        {
            all++;
            if (i) yes++;
        }
        return new Proportion(yes, all);
    }
}
