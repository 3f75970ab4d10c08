namespace Otklik.Core.Reports;

/// <summary>How often a person receives the digest e-mail.</summary>
public enum DigestFrequency
{
    /// <summary>No digest.</summary>
    None = 0,

    /// <summary>Every morning, for the previous day.</summary>
    Daily = 1,

    /// <summary>Every Monday, for the previous ISO week (Monday to Sunday).</summary>
    Weekly = 2,

    /// <summary>On the first of the month, for the previous calendar month.</summary>
    Monthly = 3,
}

/// <summary>A period of whole local days, both ends included.</summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day (included).</param>
public readonly record struct DigestPeriod(DateOnly From, DateOnly To)
{
    /// <summary>Number of days in the period.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The period of the same length that ends the day before this one starts (what changes are measured against).</summary>
    public DigestPeriod Previous => new(From.AddDays(-Days), From.AddDays(-1));
}

/// <summary>Change of one digest number against the previous period.</summary>
/// <param name="Current">This period's value, or <see langword="null"/> when unknown.</param>
/// <param name="Previous">The previous period's value, or <see langword="null"/> when unknown.</param>
/// <param name="Difference">Current − previous; <see langword="null"/> when either is unknown. For shares this is in share units (0.05 = +5 percentage points).</param>
/// <param name="Relative">Difference / |previous| (0.25 = +25 %); <see langword="null"/> when either is unknown or the previous value is 0.</param>
public sealed record DigestChange(double? Current, double? Previous, double? Difference, double? Relative)
{
    /// <summary>Whether the change is within noise, for numbers that have a noise test (green share and happiness:
    /// <see cref="Metrics.Trends.Compare"/>; the support index: <see cref="Metrics.SupportIndex.Compare"/>);
    /// <see langword="null"/> when the number has none.</summary>
    public bool? WithinNoise { get; init; }
}

/// <summary>Period boundaries and changes for the scheduled digests. Pure: the caller gives the clock and the time zone.</summary>
public static class Digests
{
    /// <summary>The local calendar date of an instant in a time zone.</summary>
    /// <param name="now">The instant.</param>
    /// <param name="zone">The organization's time zone.</param>
    public static DateOnly LocalDate(DateTimeOffset now, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

    /// <summary>
    /// The last complete period before <paramref name="today"/>: yesterday; the ISO week (Monday–Sunday) before the one that
    /// contains today; the calendar month before today's month.
    /// </summary>
    /// <param name="frequency">Daily, weekly or monthly.</param>
    /// <param name="today">The local date now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frequency"/> is <see cref="DigestFrequency.None"/> or unknown.</exception>
    public static DigestPeriod LastComplete(DigestFrequency frequency, DateOnly today)
    {
        switch (frequency)
        {
            case DigestFrequency.Daily:
                var yesterday = today.AddDays(-1);
                return new DigestPeriod(yesterday, yesterday);
            case DigestFrequency.Weekly:
                // ISO: Monday = 1 … Sunday = 7.
                var weekday = today.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)today.DayOfWeek;
                var thisMonday = today.AddDays(1 - weekday);
                return new DigestPeriod(thisMonday.AddDays(-7), thisMonday.AddDays(-1));
            case DigestFrequency.Monthly:
                var first = new DateOnly(today.Year, today.Month, 1);
                return new DigestPeriod(first.AddMonths(-1), first.AddDays(-1));
            default:
                throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "No period for this frequency.");
        }
    }

    /// <summary>
    /// The period whose digest is due at <paramref name="now"/>: the last complete period, once the local time of day has
    /// reached <paramref name="sendAt"/>; before that, <see langword="null"/> (the period before it was due yesterday or earlier).
    /// </summary>
    /// <param name="frequency">Daily, weekly or monthly; <see cref="DigestFrequency.None"/> is never due.</param>
    /// <param name="now">The instant now.</param>
    /// <param name="zone">The organization's time zone.</param>
    /// <param name="sendAt">Local time of day the digests go out.</param>
    public static DigestPeriod? Due(DigestFrequency frequency, DateTimeOffset now, TimeZoneInfo zone, TimeOnly sendAt)
    {
        if (frequency == DigestFrequency.None || !Enum.IsDefined(frequency)) return null;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        if (TimeOnly.FromDateTime(local.DateTime) < sendAt) return null;
        return LastComplete(frequency, DateOnly.FromDateTime(local.DateTime));
    }

    /// <summary>The change between two values of one metric.</summary>
    /// <param name="current">This period's value.</param>
    /// <param name="previous">The previous period's value.</param>
    public static DigestChange Change(double? current, double? previous)
    {
        if (current is not { } c || previous is not { } p) return new DigestChange(current, previous, null, null);
        var difference = c - p;
        return new DigestChange(c, p, difference, p == 0 ? null : difference / Math.Abs(p));
    }
}
