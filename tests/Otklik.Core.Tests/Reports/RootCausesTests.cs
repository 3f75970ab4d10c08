using CsCheck;
using Otklik.Core.Reports;

namespace Otklik.Core.Tests.Reports;

public class RootCausesTests
{
    private static KeyValuePair<string, long> C(string cause, long count) => new(cause, count);

    [Fact]
    public void Pareto_RanksByCount_WithHandComputedShares()
    {
        // 50 + 30 + 15 + 5 = 100: shares .5 .3 .15 .05, cumulative .5 .8 .95 1.
        var rows = RootCauses.Pareto([C("queue", 30), C("rude", 5), C("cold", 50), C("dirty", 15), C("none", 0)]);

        Assert.Equal(["cold", "queue", "dirty", "rude"], rows.Select(r => r.Cause));
        Assert.Equal([0.5, 0.3, 0.15, 0.05], rows.Select(r => Math.Round(r.Share, 10)));
        Assert.Equal([0.5, 0.8, 0.95, 1.0], rows.Select(r => Math.Round(r.CumulativeShare, 10)));
        Assert.Equal(1.0, rows[^1].CumulativeShare);
    }

    [Fact]
    public void Pareto_SumsRepeatedCauses_AndBreaksTiesByKey()
    {
        var rows = RootCauses.Pareto([C("b", 2), C("a", 1), C("a", 1), C("c", 4)]);

        Assert.Equal([("c", 4L), ("a", 2L), ("b", 2L)], rows.Select(r => (r.Cause, r.Count)));
    }

    [Fact]
    public void Pareto_OfNothing_IsEmpty() => Assert.Empty(RootCauses.Pareto(Array.Empty<KeyValuePair<string, long>>()));

    [Fact]
    public void Pareto_CumulativeShare_IsNonDecreasing_AndEndsAtOne()
    {
        Gen.Select(Gen.Int[0, 30], Gen.Long[0, 1_000_000]).Array[1, 60].Sample(pairs =>
        {
            var rows = RootCauses.Pareto(pairs.Select(p => new KeyValuePair<int, long>(p.Item1, p.Item2)));
            if (pairs.All(p => p.Item2 == 0)) return rows.Count == 0;
            for (var i = 1; i < rows.Count; i++)
                if (rows[i].CumulativeShare < rows[i - 1].CumulativeShare || rows[i].Count > rows[i - 1].Count) return false;
            return rows[^1].CumulativeShare == 1.0 && rows.Sum(r => r.Count) == pairs.Sum(p => p.Item2);
        });
    }

    [Fact]
    public void Trend_CountsEachCausePerBucket()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var day = TimeSpan.FromDays(1);
        (string, DateTimeOffset)[] events =
        [
            ("queue", start.AddHours(1)), ("queue", start.AddHours(30)), ("queue", start.AddHours(31)), ("cold", start.AddHours(50)),
            ("cold", start.AddHours(-1)), ("cold", start.AddDays(3)),
        ];

        var trend = RootCauses.Trend(events.Select(e => (e.Item1, RootCauses.BucketOf(e.Item2, start, day))), 3);

        Assert.Equal("queue", trend[0].Cause);
        Assert.Equal([1L, 2L, 0L], trend[0].Counts);
        Assert.Equal([0L, 0L, 1L], trend[1].Counts);
    }

    [Fact]
    public void Bottlenecks_WeighCountByGrowth()
    {
        // queue: 20 now, 9 before → growth 21/10 = 2.1, score 42; cold: 30 now, 29 before → growth 1.033…, score 31;
        // new: 10 now, 0 before → growth 11, score 110; gone: 0 now → left out.
        var current = new Dictionary<string, long> { ["queue"] = 20, ["cold"] = 30, ["new"] = 10, ["gone"] = 0 };
        var previous = new Dictionary<string, long> { ["queue"] = 9, ["cold"] = 29, ["gone"] = 40 };

        var rows = RootCauses.Bottlenecks(current, previous);

        Assert.Equal(["new", "queue", "cold"], rows.Select(r => r.Cause));
        Assert.Equal(110, rows[0].Score, 9);
        Assert.Equal(2.1, rows[1].Growth, 9);
        Assert.Equal(42, rows[1].Score, 9);
        Assert.Equal(31, rows[2].Score, 9);
    }

    [Fact]
    public void Durations_MedianP90AndShareWithinSla()
    {
        var h = TimeSpan.FromHours(1);
        // 1..10 hours, SLA 4 h on all but the last: median (5+6)/2 = 5.5 h, p90 = ⌈9⌉-th = 9 h, within: 1,2,3,4 of 9.
        var items = Enumerable.Range(1, 10).Select(i => (h * i, i == 10 ? (TimeSpan?)null : h * 4)).ToList();

        var stats = RootCauses.Durations(items);

        Assert.Equal(10, stats.Count);
        Assert.Equal(h * 5.5, stats.Median);
        Assert.Equal(h * 9, stats.P90);
        Assert.Equal((4L, 9L), (stats.WithinSla.Successes, stats.WithinSla.Trials));
    }

    [Fact]
    public void Durations_OddCountAndEmpty()
    {
        var odd = RootCauses.Durations([(TimeSpan.FromMinutes(3), null), (TimeSpan.FromMinutes(1), null), (TimeSpan.FromMinutes(2), null)]);
        var none = RootCauses.Durations([]);

        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)), (odd.Median!.Value, odd.P90!.Value));
        Assert.Null(odd.WithinSla.Value);
        Assert.Equal((0, (TimeSpan?)null, (TimeSpan?)null), (none.Count, none.Median, none.P90));
    }

    [Fact]
    public void CustomersInformed_IsTheShareOfTrue()
    {
        var share = RootCauses.CustomersInformed([true, false, true, true]);

        Assert.Equal(0.75, share.Value);
    }
}
