using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class SupportIndexTests
{
    [Fact]
    public void SupportIndex_WithReceipts_UsesReceipts()
    {
        var result = SupportIndex.Compute(newPositiveReviews: 3, receipts: 600, manualCustomerCount: 100);

        Assert.Equal(CustomerCountSource.Receipts, result.Source);
        Assert.Equal(0.005, result.Index!.Value, 12);
        Assert.Equal(5, result.PerThousandCustomers!.Value, 9);
    }

    [Fact]
    public void SupportIndex_WithoutPosData_UsesManualCount()
    {
        var result = SupportIndex.Compute(2, receipts: null, manualCustomerCount: 400);

        Assert.Equal(CustomerCountSource.Manual, result.Source);
        Assert.Equal(0.005, result.Index);
    }

    [Fact]
    public void SupportIndex_NoCustomerCount_IsNull()
    {
        var result = SupportIndex.Compute(2, null);

        Assert.Equal(CustomerCountSource.None, result.Source);
        Assert.Null(result.Index);
    }

    [Fact]
    public void NewReviewsBetween_CountDropped_IsZero()
    {
        Assert.Equal(0, SupportIndex.NewReviewsBetween(120, 118));
        Assert.Equal(5, SupportIndex.NewReviewsBetween(120, 125));
    }
}

public class SupportIndexTrendTests
{
    [Fact]
    public void Compare_ThreeTimesTheReviews_IsSignificant()
    {
        // 30 and 10 reviews per 1,000 customers: pooled r = 40 / 2000 = 0.02, SE = sqrt(0.02 × 2/1000) = sqrt(0.00004),
        // z = 0.02 / 0.0063246 = sqrt(10) = 3.1623 (equal n: (30 − 10) / sqrt(40)).
        var t = SupportIndex.WeekOverWeek(SupportIndex.Compute(30, 1000), SupportIndex.Compute(10, 1000));

        Assert.Equal(TrendKind.WeekOverWeek, t.Kind);
        Assert.Equal(0.02, t.Change!.Value, 12);
        Assert.Equal(20, t.ChangePerThousandCustomers!.Value, 9);
        Assert.Equal(Math.Sqrt(10), t.Z!.Value, 9);
        Assert.False(t.IsWithinNoise);
    }

    [Fact]
    public void Compare_OneMoreReview_IsWithinNoise()
    {
        // 11 against 10 per 1,000: z = (11 − 10) / sqrt(21) = 0.2182.
        var t = SupportIndex.YearOverYear(SupportIndex.Compute(11, 1000), SupportIndex.Compute(10, 1000));

        Assert.Equal(TrendKind.YearOverYear, t.Kind);
        Assert.Equal(0.001, t.Change!.Value, 12);
        Assert.Equal(1 / Math.Sqrt(21), t.Z!.Value, 9);
        Assert.True(t.IsWithinNoise);
    }

    [Fact]
    public void Compare_DifferentCustomerCounts_UsesPooledRate()
    {
        // 12 / 4000 = 0.003 against 4 / 1000 = 0.004: pooled r = 16 / 5000 = 0.0032,
        // SE = sqrt(0.0032 × (1/4000 + 1/1000)) = sqrt(0.000004) = 0.002, z = −0.001 / 0.002 = −0.5.
        var t = SupportIndex.Compare(TrendKind.PreviousPeriod, SupportIndex.Compute(12, 4000), SupportIndex.Compute(4, null, 1000));

        Assert.Equal(-0.001, t.Change!.Value, 12);
        Assert.Equal(-0.5, t.Z!.Value, 9);
        Assert.True(t.IsWithinNoise);
    }

    [Fact]
    public void Compare_JustPastTheThreshold_IsSignificant()
    {
        // Equal n: z = (x₁ − x₂) / sqrt(x₁ + x₂). 24 against 12: 12 / 6 = 2.0 > 1.96; 23 against 12: 11 / sqrt(35) = 1.859 < 1.96.
        Assert.False(SupportIndex.WeekOverWeek(SupportIndex.Compute(24, 5000), SupportIndex.Compute(12, 5000)).IsWithinNoise);
        Assert.Equal(2.0, SupportIndex.WeekOverWeek(SupportIndex.Compute(24, 5000), SupportIndex.Compute(12, 5000)).Z!.Value, 9);
        Assert.True(SupportIndex.WeekOverWeek(SupportIndex.Compute(23, 5000), SupportIndex.Compute(12, 5000)).IsWithinNoise);
    }

    [Fact]
    public void Compare_MoreReviewsThanCustomers_StillComparesRates()
    {
        // A proportion cannot have 50 successes out of 20; a rate can: (50 − 10) / sqrt(60) = 5.164.
        var t = SupportIndex.WeekOverWeek(SupportIndex.Compute(50, 20), SupportIndex.Compute(10, 20));

        Assert.Equal(2.0, t.Change!.Value, 12);
        Assert.Equal(40 / Math.Sqrt(60), t.Z!.Value, 9);
        Assert.False(t.IsWithinNoise);
    }

    [Theory]
    [InlineData(null, 1000L)]
    [InlineData(1000L, null)]
    [InlineData(0L, 1000L)]
    public void Compare_UnknownOrZeroCustomers_HasNoTrend(long? currentCustomers, long? previousCustomers)
    {
        var t = SupportIndex.WeekOverWeek(SupportIndex.Compute(5, currentCustomers), SupportIndex.Compute(3, previousCustomers));

        Assert.Null(t.Change);
        Assert.Null(t.ChangePerThousandCustomers);
        Assert.Null(t.Z);
        Assert.True(t.IsWithinNoise);
    }

    [Fact]
    public void Compare_NoReviewsInEitherPeriod_IsZeroChangeWithinNoise()
    {
        var t = SupportIndex.YearOverYear(SupportIndex.Compute(0, 300), SupportIndex.Compute(0, 900));

        Assert.Equal(0, t.Change);
        Assert.Null(t.Z);
        Assert.True(t.IsWithinNoise);
    }

    [Fact]
    public void Compare_AgreesWithTheProportionTestAtLowRates()
    {
        // At 3 and 5 per 1,000 the (1 − p) factor the rate test leaves out is ≈ 0.996: the z values differ by < 0.5 %.
        var rate = SupportIndex.WeekOverWeek(SupportIndex.Compute(15, 5000), SupportIndex.Compute(25, 5000));
        var proportion = Trends.WeekOverWeek(new Proportion(15, 5000), new Proportion(25, 5000));

        Assert.Equal(proportion.Change!.Value, rate.Change!.Value, 12);
        Assert.InRange(rate.Z!.Value / proportion.Z!.Value, 0.995, 1.0);
    }
}
