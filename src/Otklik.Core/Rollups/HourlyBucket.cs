using Otklik.Core.Conversion;
using Otklik.Core.Metrics;

namespace Otklik.Core.Rollups;

/// <summary>Kinds of raw events that hourly buckets count.</summary>
public enum RollupEventKind
{
    /// <summary>A counted green press.</summary>
    GreenPress,

    /// <summary>A counted red press.</summary>
    RedPress,

    /// <summary>A press that was received but not counted (e.g. rate-limited or bounced); kept to explain gaps.</summary>
    SuppressedPress,

    /// <summary>A visitor counted at the door.</summary>
    Visitor,

    /// <summary>A POS receipt, with its revenue and item count.</summary>
    Receipt,

    /// <summary>A salesperson approached a visitor.</summary>
    SalesAttempt,

    /// <summary>Positive feedback from any feedback channel (see <see cref="RollupEvent.Channel"/>).</summary>
    FeedbackPositive,

    /// <summary>Neutral feedback: counted in the happiness denominator, not the numerator.</summary>
    FeedbackNeutral,

    /// <summary>Negative feedback.</summary>
    FeedbackNegative,
}

/// <summary>One raw event as the rollup sees it.</summary>
/// <param name="LocationId">Location.</param>
/// <param name="StaffId">Staff member on shift, if known.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="Kind">What it was.</param>
/// <param name="Revenue">Receipt total (receipts only).</param>
/// <param name="Items">Items on the receipt (receipts only).</param>
/// <param name="Channel">Feedback channel key (e.g. "QrPage", "Kiosk"); empty for presses, visitors, receipts and sales attempts.</param>
/// <param name="Count">How many visitors or receipts the event stands for (a counter's interval, a POS interval total); 1 otherwise.</param>
public readonly record struct RollupEvent(Guid LocationId, Guid? StaffId, DateTimeOffset OccurredAt, RollupEventKind Kind, decimal Revenue = 0, long Items = 0, string Channel = "",
    long Count = 1);

/// <summary>Identity of an hourly bucket.</summary>
/// <param name="LocationId">Location.</param>
/// <param name="StaffId">Staff member, or <see langword="null"/> for "nobody known".</param>
/// <param name="HourStartUtc">Start of the UTC hour.</param>
/// <param name="Channel">Feedback channel key; empty for every other kind of event.</param>
public readonly record struct BucketKey(Guid LocationId, Guid? StaffId, DateTimeOffset HourStartUtc, string Channel = "")
{
    /// <summary>The key an event falls into.</summary>
    /// <param name="e">A raw event.</param>
    public static BucketKey Of(RollupEvent e) => new(e.LocationId, e.StaffId, HourlyBucket.HourStart(e.OccurredAt), e.Channel ?? "");
}

/// <summary>Additive counts of a bucket. Every field is a plain sum, so merging is associative and commutative.</summary>
/// <param name="Green">Green presses.</param>
/// <param name="Red">Red presses.</param>
/// <param name="Suppressed">Suppressed presses.</param>
/// <param name="Visitors">Visitors.</param>
/// <param name="Receipts">Receipts.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="Items">Items.</param>
/// <param name="SalesAttempts">Sales attempts.</param>
/// <param name="FeedbackPositive">Positive feedback.</param>
/// <param name="FeedbackNeutral">Neutral feedback.</param>
/// <param name="FeedbackNegative">Negative feedback.</param>
public readonly record struct BucketCounts(long Green, long Red, long Suppressed, long Visitors, long Receipts, decimal Revenue, long Items, long SalesAttempts,
    long FeedbackPositive = 0, long FeedbackNeutral = 0, long FeedbackNegative = 0)
{
    /// <summary>Feedback with a sentiment (positive, neutral and negative).</summary>
    public long Feedback => FeedbackPositive + FeedbackNeutral + FeedbackNegative;

    /// <summary>The sum of two sets of counts.</summary>
    /// <param name="other">Counts to add.</param>
    public BucketCounts Merge(BucketCounts other) => new(
        checked(Green + other.Green),
        checked(Red + other.Red),
        checked(Suppressed + other.Suppressed),
        checked(Visitors + other.Visitors),
        checked(Receipts + other.Receipts),
        Revenue + other.Revenue,
        checked(Items + other.Items),
        checked(SalesAttempts + other.SalesAttempts),
        checked(FeedbackPositive + other.FeedbackPositive),
        checked(FeedbackNeutral + other.FeedbackNeutral),
        checked(FeedbackNegative + other.FeedbackNegative));

    /// <summary>The same counts taken away: merging them removes events counted before (an undone import).</summary>
    public BucketCounts Negate() => new(-Green, -Red, -Suppressed, -Visitors, -Receipts, -Revenue, -Items, -SalesAttempts,
        -FeedbackPositive, -FeedbackNeutral, -FeedbackNegative);

    /// <summary>Counts of a single event.</summary>
    /// <param name="e">A raw event.</param>
    /// <exception cref="ArgumentOutOfRangeException">Unknown kind, or a receipt with negative revenue or items.</exception>
    public static BucketCounts Of(RollupEvent e)
    {
        switch (e.Kind)
        {
            case RollupEventKind.GreenPress: return new(1, 0, 0, 0, 0, 0, 0, 0);
            case RollupEventKind.RedPress: return new(0, 1, 0, 0, 0, 0, 0, 0);
            case RollupEventKind.SuppressedPress: return new(0, 0, 1, 0, 0, 0, 0, 0);
            case RollupEventKind.Visitor:
                ArgumentOutOfRangeException.ThrowIfNegative(e.Count, nameof(e));
                return new(0, 0, 0, e.Count, 0, 0, 0, 0);
            case RollupEventKind.SalesAttempt: return new(0, 0, 0, 0, 0, 0, 0, 1);
            case RollupEventKind.FeedbackPositive: return new(0, 0, 0, 0, 0, 0, 0, 0, FeedbackPositive: 1);
            case RollupEventKind.FeedbackNeutral: return new(0, 0, 0, 0, 0, 0, 0, 0, FeedbackNeutral: 1);
            case RollupEventKind.FeedbackNegative: return new(0, 0, 0, 0, 0, 0, 0, 0, FeedbackNegative: 1);
            case RollupEventKind.Receipt:
                ArgumentOutOfRangeException.ThrowIfNegative(e.Revenue, nameof(e));
                ArgumentOutOfRangeException.ThrowIfNegative(e.Items, nameof(e));
                ArgumentOutOfRangeException.ThrowIfNegative(e.Count, nameof(e));
                return new(0, 0, 0, 0, e.Count, e.Revenue, e.Items, 0);
            default:
                throw new ArgumentOutOfRangeException(nameof(e), "Unknown event kind.");
        }
    }

    /// <summary>Green share and red rate from these counts (same definition as <see cref="ButtonPresses.Compute"/>).</summary>
    public ButtonPressResult ToButtonPresses() => ButtonPresses.Compute(Green, Red, Receipts);

    /// <summary>Conversion metrics from these counts (same definition as <see cref="ConversionMetrics.Compute"/>).</summary>
    public ConversionResult ToConversion() => ConversionMetrics.Compute(new SalesCounts(Visitors, Receipts, Revenue, Items, SalesAttempts));
}

/// <summary>An hourly rollup row: counts for one location, staff member and UTC hour.</summary>
/// <param name="Key">Bucket identity.</param>
/// <param name="Counts">Counts in it.</param>
public readonly record struct HourlyBucket(BucketKey Key, BucketCounts Counts)
{
    /// <summary>Start of the UTC hour containing <paramref name="time"/>, with zero offset.</summary>
    /// <param name="time">Any instant.</param>
    public static DateTimeOffset HourStart(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    /// <summary>Merges two buckets with the same key (e.g. a rebuilt bucket and a late-arriving partial one).</summary>
    /// <param name="other">Bucket with the same key.</param>
    /// <exception cref="ArgumentException">Keys differ.</exception>
    public HourlyBucket Merge(HourlyBucket other)
    {
        if (Key != other.Key)
        {
            throw new ArgumentException("Only buckets with the same key can be merged.", nameof(other));
        }

        return new HourlyBucket(Key, Counts.Merge(other.Counts));
    }
}

/// <summary>
/// The rollup tables, from finest to coarsest: each holds the sums of one UTC hour, or of one local day or calendar month of
/// its location (in the location's time zone), so that a report over whole local days reads no hours at all.
/// </summary>
/// <remarks>
/// Hours are the atoms: a local day is the run of whole UTC hours whose start falls on that date, from
/// <see cref="Rollup.DayStart"/> of the date to that of the next. For zones with whole-hour offsets that is exactly the day;
/// with half-hour offsets (Asia/Kolkata) the day starts at the first whole UTC hour after local midnight.
/// </remarks>
public enum RollupTier
{
    /// <summary>One UTC hour.</summary>
    Hour,

    /// <summary>One local day of the location.</summary>
    Day,

    /// <summary>One local calendar month of the location.</summary>
    Month,
}

/// <summary>A part of a report's range read from one tier: [<paramref name="From"/>, <paramref name="To"/>) in whole spans of <paramref name="Tier"/>.</summary>
/// <param name="Tier">The tier that answers this part.</param>
/// <param name="From">Start (a whole UTC hour).</param>
/// <param name="To">End, exclusive (a whole UTC hour).</param>
public readonly record struct RollupSpan(RollupTier Tier, DateTimeOffset From, DateTimeOffset To);

/// <summary>Builds and combines hourly buckets.</summary>
public static class Rollup
{
    /// <summary>Groups raw events into hourly buckets, ordered by hour, location, staff, then channel.</summary>
    /// <param name="events">Raw, already de-duplicated events.</param>
    public static IReadOnlyList<HourlyBucket> Build(IEnumerable<RollupEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return MergeAll(events.Select(e => new HourlyBucket(BucketKey.Of(e), BucketCounts.Of(e))));
    }

    /// <summary>Merges buckets that share a key (e.g. partial rollups from several nodes), ordered by hour, location, staff, then channel.</summary>
    /// <param name="buckets">Buckets, possibly with repeated keys.</param>
    public static IReadOnlyList<HourlyBucket> MergeAll(IEnumerable<HourlyBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var byKey = new Dictionary<BucketKey, BucketCounts>();
        foreach (var bucket in buckets)
        {
            byKey[bucket.Key] = byKey.TryGetValue(bucket.Key, out var c) ? c.Merge(bucket.Counts) : bucket.Counts;
        }

        return byKey
            .OrderBy(kv => kv.Key.HourStartUtc)
            .ThenBy(kv => kv.Key.LocationId)
            .ThenBy(kv => kv.Key.StaffId)
            .ThenBy(kv => kv.Key.Channel, StringComparer.Ordinal)
            .Select(kv => new HourlyBucket(kv.Key, kv.Value))
            .ToList();
    }

    /// <summary>
    /// The first whole UTC hour of a local day: the earliest hour whose start, in <paramref name="zone"/>, falls on
    /// <paramref name="day"/> or later. Exact local midnight for whole-hour offsets; DST changes and skipped days included.
    /// </summary>
    /// <param name="day">A local date.</param>
    /// <param name="zone">The location's time zone.</param>
    public static DateTimeOffset DayStart(DateOnly day, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        // From a few hours before midnight at the zone's base offset (daylight saving moves it by up to two hours), hour by hour.
        var hour = HourlyBucket.HourStart(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - zone.BaseUtcOffset).AddHours(-3);
        while (LocalDate(hour, zone) < day)
        {
            hour = hour.AddHours(1);
        }

        return hour;
    }

    /// <summary>
    /// The local day whose hours include <paramref name="time"/>: the latest date whose <see cref="DayStart"/> is at or before
    /// the start of its hour (where the clock goes back over midnight, the repeated hour stays in the later day).
    /// </summary>
    /// <param name="time">Any instant.</param>
    /// <param name="zone">The location's time zone.</param>
    public static DateOnly LocalDay(DateTimeOffset time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var hour = HourlyBucket.HourStart(time);
        var day = LocalDate(hour, zone);
        while (DayStart(day, zone) > hour)
        {
            day = day.AddDays(-1);
        }

        while (DayStart(day.AddDays(1), zone) <= hour)
        {
            day = day.AddDays(1);
        }

        return day;
    }

    private static DateOnly LocalDate(DateTimeOffset time, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, zone).DateTime);

    /// <summary>Start of the span of <paramref name="tier"/> containing <paramref name="time"/>: its UTC hour, or the first hour of its local day or month.</summary>
    /// <param name="tier">The tier.</param>
    /// <param name="time">Any instant.</param>
    /// <param name="zone">The location's time zone (hours ignore it).</param>
    public static DateTimeOffset SpanStart(RollupTier tier, DateTimeOffset time, TimeZoneInfo zone) => tier switch
    {
        RollupTier.Hour => HourlyBucket.HourStart(time),
        RollupTier.Day => DayStart(LocalDay(time, zone), zone),
        RollupTier.Month => DayStart(FirstOfMonth(LocalDay(time, zone)), zone),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, null),
    };

    /// <summary>Start of the span of <paramref name="tier"/> after the one containing <paramref name="spanStart"/>.</summary>
    /// <param name="tier">The tier.</param>
    /// <param name="spanStart">A span start of that tier.</param>
    /// <param name="zone">The location's time zone (hours ignore it).</param>
    public static DateTimeOffset NextSpan(RollupTier tier, DateTimeOffset spanStart, TimeZoneInfo zone) => tier switch
    {
        RollupTier.Hour => HourlyBucket.HourStart(spanStart).AddHours(1),
        RollupTier.Day => DayStart(LocalDay(spanStart, zone).AddDays(1), zone),
        RollupTier.Month => DayStart(FirstOfMonth(LocalDay(spanStart, zone)).AddMonths(1), zone),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, null),
    };

    private static DateOnly FirstOfMonth(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// Hourly buckets of one location's zone summed per local day or month: the coarser tiers, whose keys carry the span's
    /// first hour where hourly keys carry the hour's. Each tier holds the plain sums of the finer one, so any tier answers a
    /// whole span alike.
    /// </summary>
    /// <param name="tier">The tier to sum into.</param>
    /// <param name="buckets">Hourly buckets, possibly with repeated keys.</param>
    /// <param name="zone">The time zone of the buckets' locations.</param>
    public static IReadOnlyList<HourlyBucket> ToTier(RollupTier tier, IEnumerable<HourlyBucket> buckets, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var starts = new Dictionary<DateTimeOffset, DateTimeOffset>(); // hours repeat across locations and staff: each is placed once
        return MergeAll(buckets.Select(b =>
        {
            if (!starts.TryGetValue(b.Key.HourStartUtc, out var start))
            {
                start = SpanStart(tier, b.Key.HourStartUtc, zone);
                starts[b.Key.HourStartUtc] = start;
            }

            return b with { Key = b.Key with { HourStartUtc = start } };
        }));
    }

    /// <summary>
    /// Splits a range of whole UTC hours into the fewest spans of the tiers: the whole local months inside it, then the whole
    /// local days inside what is left on either side, then the remaining hours at the edges. The spans are in time order, do
    /// not overlap and cover [<paramref name="start"/>, <paramref name="end"/>) exactly; a report reads each from its tier, so
    /// a year over a thousand locations reads twelve monthly rows per key instead of 8 760 hourly ones, and a period of
    /// whole local days reads no hours.
    /// </summary>
    /// <param name="start">Range start, on a whole UTC hour.</param>
    /// <param name="end">Range end (exclusive), on a whole UTC hour.</param>
    /// <param name="zone">The time zone of the locations read.</param>
    /// <param name="coarsest">The coarsest tier to use (<see cref="RollupTier.Day"/>: a report by day).</param>
    /// <exception cref="ArgumentException">A bound is not on a whole UTC hour.</exception>
    public static IReadOnlyList<RollupSpan> Cover(DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone, RollupTier coarsest = RollupTier.Month)
    {
        if (HourlyBucket.HourStart(start) != start || HourlyBucket.HourStart(end) != end)
        {
            throw new ArgumentException("Rollup ranges start and end on whole UTC hours.", nameof(start));
        }

        var spans = new List<RollupSpan>();
        if (start >= end)
        {
            return spans;
        }

        var (monthFrom, monthTo) = coarsest == RollupTier.Month ? Inner(RollupTier.Month, start, end, zone) : (end, end);
        if (monthFrom < monthTo)
        {
            Days(start, monthFrom);
            spans.Add(new RollupSpan(RollupTier.Month, monthFrom, monthTo));
            Days(monthTo, end);
        }
        else
        {
            Days(start, end);
        }

        return spans;

        void Days(DateTimeOffset from, DateTimeOffset to)
        {
            var (dayFrom, dayTo) = coarsest == RollupTier.Hour ? (to, to) : Inner(RollupTier.Day, from, to, zone);
            if (dayFrom >= dayTo)
            {
                Add(RollupTier.Hour, from, to);
                return;
            }

            Add(RollupTier.Hour, from, dayFrom);
            Add(RollupTier.Day, dayFrom, dayTo);
            Add(RollupTier.Hour, dayTo, to);
        }

        void Add(RollupTier tier, DateTimeOffset from, DateTimeOffset to)
        {
            if (from < to)
            {
                spans.Add(new RollupSpan(tier, from.ToUniversalTime(), to.ToUniversalTime()));
            }
        }
    }

    /// <summary>The whole spans of a tier inside [start, end): from the first span start at or after start to the last span start at or before end.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) Inner(RollupTier tier, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone)
    {
        var first = SpanStart(tier, start, zone);
        var from = first == start ? first : NextSpan(tier, first, zone);
        return (from, SpanStart(tier, end, zone));
    }

    /// <summary>Sums the counts of all buckets (e.g. a location's day or an employee's month).</summary>
    /// <param name="buckets">Buckets to sum.</param>
    public static BucketCounts Total(IEnumerable<HourlyBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        return buckets.Aggregate(default(BucketCounts), (acc, b) => acc.Merge(b.Counts));
    }

    /// <summary>Counts of raw events without bucketing; the reference that rollups must reproduce.</summary>
    /// <param name="events">Raw events.</param>
    public static BucketCounts Count(IEnumerable<RollupEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(default(BucketCounts), (acc, e) => acc.Merge(BucketCounts.Of(e)));
    }
}
