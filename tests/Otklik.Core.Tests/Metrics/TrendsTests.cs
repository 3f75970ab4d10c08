using CsCheck;
using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class TrendsTests
{
    [Fact]
    public void WeekOverWeek_LargeSamplesBigChange_IsNotNoise()
    {
        // 0.90 vs 0.80 on 1000 each: pooled 0.85, SE = sqrt(0.85·0.15·0.002) ≈ 0.015969, z ≈ 6.262.
        var result = Trends.WeekOverWeek(new Proportion(900, 1000), new Proportion(800, 1000));

        Assert.Equal(TrendKind.WeekOverWeek, result.Kind);
        Assert.Equal(0.1, result.Change!.Value, 9);
        Assert.Equal(6.262, result.Z!.Value, 3);
        Assert.False(result.IsWithinNoise);
    }

    [Fact]
    public void YearOverYear_SmallSamplesSameChange_IsNoise()
    {
        // 9/10 vs 8/10: z ≈ 0.626.
        var result = Trends.YearOverYear(new Proportion(9, 10), new Proportion(8, 10));

        Assert.Equal(0.1, result.Change!.Value, 9);
        Assert.True(result.IsWithinNoise);
    }

    [Fact]
    public void Trend_EmptyPeriod_HasNoChangeAndIsNoise()
    {
        var result = Trends.WeekOverWeek(new Proportion(5, 10), new Proportion(0, 0));

        Assert.Null(result.Change);
        Assert.True(result.IsWithinNoise);
    }

    [Fact]
    public void Trend_BothPeriodsAllSuccesses_IsZeroChangeAndNoise()
    {
        var result = Trends.WeekOverWeek(new Proportion(10, 10), new Proportion(40, 40));

        Assert.Equal(0, result.Change);
        Assert.True(result.IsWithinNoise);
    }

    [Fact]
    public void Trend_MoreSuccessesThanTrials_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Trends.WeekOverWeek(new Proportion(11, 10), new Proportion(1, 10)));
    }

    [Fact]
    public void Trend_SwappingPeriods_NegatesZAndKeepsNoiseFlag()
    {
        var gen = Gen.Int[1, 500].SelectMany(n1 => Gen.Int[1, 500].SelectMany(n2 =>
            Gen.Select(Gen.Int[0, n1], Gen.Int[0, n2], (x1, x2) => (new Proportion(x1, n1), new Proportion(x2, n2)))));
        gen.Sample(pair =>
        {
            var forward = Trends.WeekOverWeek(pair.Item1, pair.Item2);
            var backward = Trends.WeekOverWeek(pair.Item2, pair.Item1);
            Assert.Equal(forward.IsWithinNoise, backward.IsWithinNoise);
            Assert.Equal(-forward.Change!.Value, backward.Change!.Value, 12);
        });
    }
}
