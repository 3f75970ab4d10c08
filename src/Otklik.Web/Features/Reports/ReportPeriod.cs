using System.Globalization;
using System.Text.RegularExpressions;

namespace Otklik.Web.Features.Reports;

/// <summary>
/// One end of a report period: either a calendar date, read in each location's own time zone
/// ("2026-11-01" is midnight in Yekaterinburg for a shop there and midnight in Moscow for one in Moscow),
/// or an exact instant with an offset ("2026-11-01T09:00:00+05:00", "…Z").
/// </summary>
public readonly partial record struct PeriodBound
{
    private PeriodBound(DateOnly? date, DateTimeOffset? instant)
    {
        Date = date;
        Instant = instant;
    }

    public DateOnly? Date { get; }
    public DateTimeOffset? Instant { get; }

    public static PeriodBound OfDate(DateOnly date) => new(date, null);
    public static PeriodBound OfInstant(DateTimeOffset instant) => new(null, instant);

    /// <summary>Reads "yyyy-MM-dd" or an ISO 8601 date-time with an offset. A time without an offset is refused: whose clock would it be?</summary>
    public static bool TryParse(string text, out PeriodBound bound, out string error)
    {
        bound = default;
        error = "";
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            bound = OfDate(date);
            return true;
        }
        // An unencoded '+' in a query string arrives as a space: "…T09:00:00 05:00".
        text = SpaceBeforeOffset().Replace(text, "+$1");
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            error = "Use a date (2026-11-01) or a date and time with an offset (2026-11-01T09:00:00+05:00).";
            return false;
        }
        if (parsed.Kind == DateTimeKind.Unspecified)
        {
            error = "A date and time needs an offset (Z or +05:00); or give just a date to use each location's own time zone.";
            return false;
        }
        bound = OfInstant(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None));
        return true;
    }

    /// <summary>The instant this bound starts at in a time zone: a date's local midnight, or the instant itself.</summary>
    public DateTimeOffset StartIn(TimeZoneInfo zone) => Instant ?? LocalMidnight(Date!.Value, zone);

    /// <summary>The exclusive end this bound means in a time zone: the midnight after a date (the date is included), or the instant itself.</summary>
    public DateTimeOffset EndIn(TimeZoneInfo zone) => Instant ?? LocalMidnight(Date!.Value.AddDays(1), zone);

    public override string ToString() =>
        Date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Instant!.Value.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        // Where a DST jump skips midnight, the day starts at the first valid minute.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    [GeneratedRegex(@" (\d{2}:?\d{2})$")]
    private static partial Regex SpaceBeforeOffset();
}

/// <summary>A report period: <see cref="From"/> inclusive, <see cref="To"/> exclusive (a date as <c>to</c> includes that whole day).</summary>
public sealed record ReportPeriod(PeriodBound From, PeriodBound To)
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(400);
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(30);

    /// <summary>
    /// Reads <c>from</c>/<c>to</c>. Both are optional: <c>to</c> defaults to now, <c>from</c> to 30 days before <c>to</c>
    /// (30 whole days ending with <c>to</c> when <c>to</c> is a date). Problems are added to <paramref name="errors"/>.
    /// </summary>
    public static ReportPeriod? Parse(string? from, string? to, DateTimeOffset now, Infrastructure.Errors errors)
    {
        PeriodBound? f = null, t = null;
        if (!string.IsNullOrWhiteSpace(from))
        {
            if (PeriodBound.TryParse(from, out var b, out var e)) f = b;
            else errors.Add("from", e);
        }
        if (!string.IsNullOrWhiteSpace(to))
        {
            if (PeriodBound.TryParse(to, out var b, out var e)) t = b;
            else errors.Add("to", e);
        }
        if (errors.Any) return null;

        var end = t ?? PeriodBound.OfInstant(now);
        var start = f ?? (end.Date is { } d ? PeriodBound.OfDate(d.AddDays(1 - (int)DefaultLength.TotalDays)) : PeriodBound.OfInstant(end.Instant!.Value - DefaultLength));
        var period = new ReportPeriod(start, end);
        // Checked in UTC; for dates that is the same in every zone, for a date mixed with an instant it is within a day of it.
        var (s, e2) = period.In(TimeZoneInfo.Utc);
        if (s >= e2) errors.Add("to", "The end of the period must be after its start.");
        else if (e2 - s > MaxLength) errors.Add("to", $"The period may be at most {MaxLength.TotalDays:0} days long.");
        return errors.Any ? null : period;
    }

    /// <summary>The period as instants in a location's time zone: [start, end).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) In(TimeZoneInfo zone) => (From.StartIn(zone), To.EndIn(zone));
}
