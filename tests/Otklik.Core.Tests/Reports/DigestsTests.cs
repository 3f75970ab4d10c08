using CsCheck;
using Otklik.Core.Reports;

namespace Otklik.Core.Tests.Reports;

public class DigestsTests
{
    // Fixed-offset zones (no daylight saving): UTC+5 and UTC−3.
    private static readonly TimeZoneInfo Yekaterinburg = TimeZoneInfo.CreateCustomTimeZone("UTC+5", TimeSpan.FromHours(5), "UTC+5", "UTC+5");
    private static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.CreateCustomTimeZone("UTC-3", TimeSpan.FromHours(-3), "UTC-3", "UTC-3");
    private static readonly TimeOnly Seven = new(7, 0);

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public void Daily_IsYesterday()
    {
        Assert.Equal(new DigestPeriod(D(2026, 3, 1), D(2026, 3, 1)), Digests.LastComplete(DigestFrequency.Daily, D(2026, 3, 2)));
        Assert.Equal(new DigestPeriod(D(2025, 12, 31), D(2025, 12, 31)), Digests.LastComplete(DigestFrequency.Daily, D(2026, 1, 1)));
    }

    [Theory]
    [InlineData(2026, 11, 30)] // Monday
    [InlineData(2026, 12, 2)]  // Wednesday
    [InlineData(2026, 12, 6)]  // Sunday
    public void Weekly_IsThePreviousIsoWeek_MondayToSunday(int y, int m, int d)
    {
        var today = D(y, m, d);
        var expected = new DigestPeriod(D(2026, 11, 23), D(2026, 11, 29));
        Assert.Equal(expected, Digests.LastComplete(DigestFrequency.Weekly, today));
        Assert.Equal(DayOfWeek.Monday, expected.From.DayOfWeek);
        Assert.Equal(7, expected.Days);
    }

    [Fact]
    public void Weekly_AcrossTheYearEnd()
    {
        // 2026-01-05 is a Monday; the week before is 2025-12-29 … 2026-01-04 (ISO week 1 of 2026).
        Assert.Equal(new DigestPeriod(D(2025, 12, 29), D(2026, 1, 4)), Digests.LastComplete(DigestFrequency.Weekly, D(2026, 1, 7)));
    }

    [Fact]
    public void Monthly_IsThePreviousCalendarMonth_LeapYearIncluded()
    {
        Assert.Equal(new DigestPeriod(D(2028, 2, 1), D(2028, 2, 29)), Digests.LastComplete(DigestFrequency.Monthly, D(2028, 3, 1)));
        Assert.Equal(new DigestPeriod(D(2025, 12, 1), D(2025, 12, 31)), Digests.LastComplete(DigestFrequency.Monthly, D(2026, 1, 20)));
        Assert.Equal(29, Digests.LastComplete(DigestFrequency.Monthly, D(2028, 3, 31)).Days);
    }

    [Fact]
    public void None_HasNoPeriod()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Digests.LastComplete(DigestFrequency.None, D(2026, 1, 1)));
        Assert.Null(Digests.Due(DigestFrequency.None, DateTimeOffset.Parse("2026-01-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.Utc, Seven));
    }

    [Fact]
    public void Previous_HasTheSameLength_AndEndsTheDayBefore()
    {
        var week = new DigestPeriod(D(2026, 11, 23), D(2026, 11, 29));
        Assert.Equal(new DigestPeriod(D(2026, 11, 16), D(2026, 11, 22)), week.Previous);
        var february = new DigestPeriod(D(2026, 2, 1), D(2026, 2, 28));
        Assert.Equal(new DigestPeriod(D(2026, 1, 4), D(2026, 1, 31)), february.Previous);
    }

    [Fact]
    public void Due_FollowsTheLocalDateAndHour_NotUtc()
    {
        // 2026-11-30 01:30 UTC is 06:30 on Monday in UTC+5: not yet; 02:00 UTC is 07:00 there: the week 23–29 November.
        var before = DateTimeOffset.Parse("2026-11-30T01:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var at = DateTimeOffset.Parse("2026-11-30T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Null(Digests.Due(DigestFrequency.Weekly, before, Yekaterinburg, Seven));
        Assert.Equal(new DigestPeriod(D(2026, 11, 23), D(2026, 11, 29)), Digests.Due(DigestFrequency.Weekly, at, Yekaterinburg, Seven));

        // The same instant in UTC−3 is still Sunday evening (23:00 on the 29th): the week due is the one before.
        Assert.Equal(new DigestPeriod(D(2026, 11, 16), D(2026, 11, 22)), Digests.Due(DigestFrequency.Weekly, at, SaoPaulo, Seven));
        // 2026-11-30 22:00 UTC is 19:00 on Monday 30th in UTC−3: the day before is the 29th.
        var evening = DateTimeOffset.Parse("2026-11-30T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new DigestPeriod(D(2026, 11, 29), D(2026, 11, 29)), Digests.Due(DigestFrequency.Daily, evening, SaoPaulo, Seven));
        Assert.Equal(D(2026, 12, 1), Digests.LocalDate(evening, Yekaterinburg));
    }

    [Fact]
    public void Due_StaysTheSameAllDay_SoAPeriodIsOneKey()
    {
        var start = DateTimeOffset.Parse("2026-12-01T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture); // 07:00 in UTC+5
        var periods = Enumerable.Range(0, 17 * 6).Select(i => Digests.Due(DigestFrequency.Monthly, start.AddMinutes(10 * i), Yekaterinburg, Seven)).Distinct().ToList();
        Assert.Equal(new DigestPeriod(D(2026, 11, 1), D(2026, 11, 30)), Assert.Single(periods));
    }

    [Fact]
    public void Change_KnownCases()
    {
        var share = Digests.Change(0.8, 0.75);
        Assert.Equal(0.05, share.Difference!.Value, 12);
        Assert.Equal(0.05 / 0.75, share.Relative!.Value, 12);
        Assert.Equal(new DigestChange(120, 100, 20, 0.2), Digests.Change(120, 100));
        Assert.Equal(new DigestChange(5, 0, 5, null), Digests.Change(5, 0));
        Assert.Equal(new DigestChange(-10, -20, 10, 0.5), Digests.Change(-10, -20)); // NPS from −20 to −10: up by half
        Assert.Equal(new DigestChange(null, 3, null, null), Digests.Change(null, 3));
        Assert.Equal(new DigestChange(3, null, null, null), Digests.Change(3, null));
    }

    [Fact]
    public void Periods_Property_EndBeforeToday_AndContainTheirPreviousDayAfter()
    {
        Gen.Int[730_000, 740_000].Select(Gen.Enum<DigestFrequency>()).Where((_, f) => f != DigestFrequency.None).Sample((day, frequency) =>
        {
            var today = DateOnly.FromDayNumber(day);
            var p = Digests.LastComplete(frequency, today);
            // The period ends before today, and the next period of its kind has not ended yet.
            return p.To < today && p.From <= p.To && p.Previous.To.AddDays(1) == p.From && p.Previous.Days == p.Days
                && (frequency != DigestFrequency.Daily || p.To == today.AddDays(-1))
                && (frequency != DigestFrequency.Weekly || (p.From.DayOfWeek == DayOfWeek.Monday && p.Days == 7 && today.DayNumber - p.To.DayNumber <= 7))
                && (frequency != DigestFrequency.Monthly || (p.From.Day == 1 && p.To.AddDays(1).Day == 1 && p.To.AddDays(1).Month == today.Month));
        });
    }
}
