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
