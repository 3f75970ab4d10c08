using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class ButtonPressesTests
{
    [Fact]
    public void GreenShare_ThreeGreenOneRed_IsThreeQuarters()
    {
        var result = ButtonPresses.Compute(green: 3, red: 1, receipts: 200);

        Assert.Equal(0.75, result.GreenShare);
        Assert.Equal(0.5, result.RedRatePer100Receipts);
    }

    [Fact]
    public void GreenShare_NoPresses_IsNull()
    {
        Assert.Null(ButtonPresses.Compute(0, 0, 10).GreenShare);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    public void RedRate_NoReceipts_IsNull(long? receipts)
    {
        Assert.Null(ButtonPresses.Compute(5, 2, receipts).RedRatePer100Receipts);
    }

    [Fact]
    public void ButtonPresses_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ButtonPresses.Compute(-1, 0));
    }
}
