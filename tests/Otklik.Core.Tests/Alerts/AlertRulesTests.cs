using Otklik.Core.Alerts;

namespace Otklik.Core.Tests.Alerts;

public class AlertRulesTests
{
    [Theory]
    [InlineData(2, 2, true)]   // exactly 50 % of exactly 4: fires
    [InlineData(3, 1, false)]  // 25 %
    [InlineData(1, 2, false)]  // 67 % but only 3 presses
    [InlineData(0, 4, true)]
    [InlineData(0, 0, false)]
    [InlineData(5, 4, false)]  // 44 %
    [InlineData(4, 5, true)]   // 56 %
    public void RedShare_FiresAtTheThresholdWithEnoughPresses(long green, long red, bool fires)
    {
        Assert.Equal(fires, AlertRules.RedShareReached(green, red, thresholdPercent: 50, minPresses: 4));
    }

    [Fact]
    public void RedShare_OneThirdThreshold_IncludesExactlyOneThird()
    {
        Assert.True(AlertRules.RedShareReached(green: 4, red: 2, thresholdPercent: 33, minPresses: 1));
        Assert.False(AlertRules.RedShareReached(green: 5, red: 2, thresholdPercent: 33, minPresses: 1));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(19, true)]
    [InlineData(20, false)]
    [InlineData(80, false)]
    public void BatteryLow_BelowTheThresholdOnly(int? percent, bool low)
    {
        Assert.Equal(low, AlertRules.BatteryLow(percent, 20));
    }

    private static readonly OpeningInterval[] Weekdays =
    [
        .. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new OpeningInterval(d, new TimeOnly(9, 0), new TimeOnly(21, 0))),
    ];

    // 2030-01-07 is a Monday.
    private static DateTime Monday(int hour, int minute = 0) => new(2030, 1, 7, hour, minute, 0);

    [Fact]
    public void Silent_InsideOpeningHours_AfterTheThreshold()
    {
        Assert.True(AlertRules.DeviceSilent(Monday(10), Monday(11), Weekdays, TimeSpan.FromMinutes(60)));
        Assert.False(AlertRules.DeviceSilent(Monday(10), Monday(10, 59), Weekdays, TimeSpan.FromMinutes(60)));
    }

    [Fact]
    public void Silent_NeverOutsideOpeningHours()
    {
        Assert.False(AlertRules.DeviceSilent(Monday(10), Monday(22), Weekdays, TimeSpan.FromMinutes(60)));
        Assert.False(AlertRules.DeviceSilent(Monday(10).AddDays(-2), Monday(8, 59), Weekdays, TimeSpan.FromMinutes(60)));
        Assert.False(AlertRules.DeviceSilent(Monday(10), Monday(10).AddDays(5), Weekdays, TimeSpan.FromMinutes(60))); // Saturday
    }

    [Fact]
    public void Silent_CountsOnlyTheTimeSinceOpening()
    {
        // Quiet all night is fine; an hour after opening without a press is not.
        Assert.False(AlertRules.DeviceSilent(Monday(10).AddDays(-3), Monday(9, 59), Weekdays, TimeSpan.FromMinutes(60)));
        Assert.True(AlertRules.DeviceSilent(Monday(10).AddDays(-3), Monday(10), Weekdays, TimeSpan.FromMinutes(60)));
    }

    [Fact]
    public void Silent_OvernightHours_BelongToTheDayTheyStart()
    {
        OpeningInterval[] bar = [new(DayOfWeek.Monday, new TimeOnly(20, 0), new TimeOnly(2, 0))];
        var tuesdayOneAm = Monday(1).AddDays(1);
        Assert.True(AlertRules.DeviceSilent(Monday(21), tuesdayOneAm, bar, TimeSpan.FromMinutes(60)));
        Assert.False(AlertRules.DeviceSilent(Monday(21), tuesdayOneAm.AddHours(2), bar, TimeSpan.FromMinutes(60)));
        Assert.False(AlertRules.DeviceSilent(Monday(0), Monday(1), bar, TimeSpan.FromMinutes(30))); // Sunday night: closed
    }

    [Fact]
    public void Silent_WithoutOpeningHours_IsNeverJudged()
    {
        Assert.False(AlertRules.DeviceSilent(Monday(1), Monday(1).AddDays(3), [], TimeSpan.FromMinutes(60)));
    }

    [Fact]
    public void RetryDelay_DoublesAndIsCapped()
    {
        Assert.Equal([10, 20, 40, 80, 160, 320, 600, 600], Enumerable.Range(1, 8).Select(a => AlertRules.RetryDelay(a).TotalSeconds));
    }
}
