using Otklik.Core.Conversion;

namespace Otklik.Core.Tests.Conversion;

public class ConversionMetricsTests
{
    [Fact]
    public void Conversion_KnownCounts_GivesEachRatio()
    {
        var result = ConversionMetrics.Compute(new SalesCounts(Visitors: 200, Receipts: 50, Revenue: 125_000m, Items: 120, SalesAttempts: 150));

        Assert.Equal(0.25, result.Conversion);
        Assert.Equal(2_500m, result.AverageCheck);
        Assert.Equal(2.4, result.ItemsPerReceipt);
        Assert.Equal(0.75, result.Coverage);
    }

    [Fact]
    public void Conversion_NoVisitorsNoReceipts_RatiosAreNull()
    {
        var result = ConversionMetrics.Compute(default);

        Assert.Null(result.Conversion);
        Assert.Null(result.AverageCheck);
        Assert.Null(result.ItemsPerReceipt);
        Assert.Null(result.Coverage);
    }

    [Fact]
    public void Conversion_NegativeRevenue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConversionMetrics.Compute(new SalesCounts(1, 1, -1m, 1, 0)));
    }
}
