using Otklik.Web.Features.Reports;
using Otklik.Web.Infrastructure;

namespace Otklik.Web.Tests.Features.Reports;

public sealed class ReportPeriodTests
{
    private static readonly TimeZoneInfo Yekaterinburg = TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg");
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static PeriodBound Parse(string text)
    {
        Assert.True(PeriodBound.TryParse(text, out var bound, out var error), error);
        return bound;
    }

    [Fact]
    public void ADate_MeansTheLocationsOwnDay_FromMidnightToMidnight()
    {
        var day = Parse("2026-11-01");

        Assert.Equal(new DateTimeOffset(2026, 10, 31, 19, 0, 0, TimeSpan.Zero), day.StartIn(Yekaterinburg));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 19, 0, 0, TimeSpan.Zero), day.EndIn(Yekaterinburg));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), day.StartIn(TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("2026-11-01T09:00:00+05:00")]
    [InlineData("2026-11-01T04:00:00Z")]
    [InlineData("2026-11-01T09:00:00 05:00")] // an unencoded '+' in a query string
    public void AnInstant_IsTheSameEverywhere(string text)
    {
        var bound = Parse(text);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), bound.StartIn(Yekaterinburg));
        Assert.Equal(bound.StartIn(TimeZoneInfo.Utc), bound.EndIn(Yekaterinburg));
    }

    [Theory]
    [InlineData("2026-11-01T09:00:00", "offset")]
    [InlineData("tomorrow", "date")]
    [InlineData("2026-02-30", "date")]
    public void Unclear_Values_AreRefusedWithAReason(string text, string hint)
    {
        Assert.False(PeriodBound.TryParse(text, out _, out var error));
        Assert.Contains(hint, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreTheLast30DaysUpToNow_Or30WholeDaysEndingWithAGivenDate()
    {
        var errors = new Errors();

        var none = ReportPeriod.Parse(null, null, Now, errors)!;
        var toDate = ReportPeriod.Parse(null, "2026-11-30", Now, errors)!;

        Assert.False(errors.Any);
        Assert.Equal((Now.AddDays(-30), Now), none.In(Yekaterinburg));
        Assert.Equal("2026-11-01", toDate.From.ToString());
        Assert.Equal(TimeSpan.FromDays(30), toDate.In(TimeZoneInfo.Utc).End - toDate.In(TimeZoneInfo.Utc).Start);
    }

    [Theory]
    [InlineData("2026-11-02", "2026-11-01")]
    [InlineData("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z")]
    [InlineData("2025-01-01", "2026-02-05")]
    public void Empty_Backwards_OrLongerThan400Days_IsRefusedOnTo(string from, string to)
    {
        var errors = new Errors();

        Assert.Null(ReportPeriod.Parse(from, to, Now, errors));
        Assert.True(errors.Any);
        var problem = (Microsoft.AspNetCore.Http.HttpResults.ValidationProblem)errors.ToProblem();
        Assert.Equal(["to"], problem.ProblemDetails.Errors.Keys);
    }

    [Theory]
    [InlineData("America/Santiago")] // DST begins at midnight: some days start at 01:00
    [InlineData("Europe/Berlin")]
    [InlineData("Asia/Kathmandu")]
    [InlineData("Europe/Moscow")]
    public void Days_TileTheYear_WithoutGapsOrOverlaps_AcrossDaylightSaving(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        for (var day = new DateOnly(2026, 1, 1); day < new DateOnly(2027, 1, 1); day = day.AddDays(1))
        {
            var today = PeriodBound.OfDate(day);
            var tomorrow = PeriodBound.OfDate(day.AddDays(1));
            Assert.Equal(today.EndIn(zone), tomorrow.StartIn(zone));
            var length = today.EndIn(zone) - today.StartIn(zone);
            Assert.InRange(length, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
            Assert.Equal(day, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(today.StartIn(zone), zone).DateTime));
        }
    }
}
