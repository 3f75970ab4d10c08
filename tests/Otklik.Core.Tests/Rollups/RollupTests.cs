using CsCheck;
using Otklik.Core.Conversion;
using Otklik.Core.Metrics;
using Otklik.Core.Rollups;

namespace Otklik.Core.Tests.Rollups;

public class RollupTests
{
    private static readonly Guid LocationA = Guid.Parse("0f9b8c5e-1a61-4f1e-9a0e-000000000001");
    private static readonly Guid LocationB = Guid.Parse("0f9b8c5e-1a61-4f1e-9a0e-000000000002");
    private static readonly Guid Staff1 = Guid.Parse("5c6d0c7a-2b9b-4a44-8d53-000000000001");
    private static readonly Guid Staff2 = Guid.Parse("5c6d0c7a-2b9b-4a44-8d53-000000000002");
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<RollupEvent> Event = Gen.Select(
        Gen.OneOfConst(LocationA, LocationB),
        Gen.OneOfConst<Guid?>(Staff1, Staff2, null),
        Gen.Int[0, 72 * 3600 - 1],
        Gen.OneOfConst(TimeSpan.Zero, TimeSpan.FromHours(3), TimeSpan.FromHours(-5)),
        Gen.Enum<RollupEventKind>(),
        Gen.Int[0, 1_000_000],
        Gen.Int[0, 20],
        (location, staff, seconds, offset, kind, kopecks, items) => new RollupEvent(
            location,
            staff,
            Start.AddSeconds(seconds).ToOffset(offset),
            kind,
            kind == RollupEventKind.Receipt ? kopecks / 100m : 0m,
            kind == RollupEventKind.Receipt ? items : 0));

    private static readonly Gen<RollupEvent[]> Events = Event.Array[0, 300];

    [Fact]
    public void HourStart_TruncatesToUtcHour()
    {
        var local = new DateTimeOffset(2025, 6, 1, 12, 59, 59, TimeSpan.FromHours(3));

        Assert.Equal(new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero), HourlyBucket.HourStart(local));
    }

    [Fact]
    public void Build_EventsInSameHourLocationStaff_ShareOneBucket()
    {
        var t = Start.AddMinutes(10);
        RollupEvent[] events =
        [
            new(LocationA, Staff1, t, RollupEventKind.GreenPress),
            new(LocationA, Staff1, t.AddMinutes(49), RollupEventKind.RedPress),
            new(LocationA, Staff1, t.AddMinutes(50), RollupEventKind.GreenPress),
            new(LocationA, Staff1, t, RollupEventKind.Receipt, 150.50m, 3),
        ];

        var buckets = Rollup.Build(events);

        Assert.Equal(2, buckets.Count);
        Assert.Equal(new BucketCounts(1, 1, 0, 0, 1, 150.50m, 3, 0), buckets[0].Counts);
        Assert.Equal(new BucketCounts(1, 0, 0, 0, 0, 0, 0, 0), buckets[1].Counts);
    }

    [Fact]
    public void Merge_DifferentKeys_Throws()
    {
        var a = new HourlyBucket(new BucketKey(LocationA, null, Start), default);
        var b = new HourlyBucket(new BucketKey(LocationB, null, Start), default);

        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }

    [Fact]
    public void Rollup_TotalOfBuckets_EqualsCountOfRawEvents()
    {
        Events.Sample(events =>
        {
            Assert.Equal(Rollup.Count(events), Rollup.Total(Rollup.Build(events)));
        });
    }

    [Fact]
    public void Rollup_GreenShareAndRedRateFromBuckets_EqualsRawEvents()
    {
        Events.Sample(events =>
        {
            var green = events.Count(e => e.Kind == RollupEventKind.GreenPress);
            var red = events.Count(e => e.Kind == RollupEventKind.RedPress);
            var receipts = events.Count(e => e.Kind == RollupEventKind.Receipt);
            var fromRaw = ButtonPresses.Compute(green, red, receipts);

            var fromBuckets = Rollup.Total(Rollup.Build(events)).ToButtonPresses();

            Assert.Equal(fromRaw, fromBuckets);
        });
    }

    [Fact]
    public void Rollup_ConversionFromSummedBuckets_EqualsRawEvents()
    {
        Events.Sample(events =>
        {
            var receipts = events.Where(e => e.Kind == RollupEventKind.Receipt).ToList();
            var fromRaw = ConversionMetrics.Compute(new SalesCounts(
                Visitors: events.Count(e => e.Kind == RollupEventKind.Visitor),
                Receipts: receipts.Count,
                Revenue: receipts.Sum(e => e.Revenue),
                Items: receipts.Sum(e => e.Items),
                SalesAttempts: events.Count(e => e.Kind == RollupEventKind.SalesAttempt)));

            var fromBuckets = Rollup.Total(Rollup.Build(events)).ToConversion();

            Assert.Equal(fromRaw, fromBuckets);
        });
    }

    [Fact]
    public void Rollup_PerLocationFromBuckets_EqualsRawEventsOfThatLocation()
    {
        Events.Sample(events =>
        {
            var buckets = Rollup.Build(events);
            foreach (var location in new[] { LocationA, LocationB })
            {
                Assert.Equal(
                    Rollup.Count(events.Where(e => e.LocationId == location)),
                    Rollup.Total(buckets.Where(b => b.Key.LocationId == location)));
            }
        });
    }

    [Fact]
    public void Rollup_MergingPartialRollups_EqualsRollupOfAllEvents()
    {
        // Two nodes each roll up part of the events; merging their buckets must give the single-node result.
        Gen.Select(Events, Gen.Int[0, 300]).Sample((events, cut) =>
        {
            var split = Math.Min(cut, events.Length);
            var partA = Rollup.Build(events.Take(split));
            var partB = Rollup.Build(events.Skip(split));

            Assert.Equal(Rollup.Build(events), Rollup.MergeAll(partA.Concat(partB)));
        });
    }

    private static readonly Gen<RollupEvent> Signal = Gen.Select(
        Gen.OneOfConst(LocationA, LocationB),
        Gen.Int[0, 72 * 3600 - 1],
        Gen.OneOfConst(RollupEventKind.GreenPress, RollupEventKind.RedPress, RollupEventKind.SuppressedPress,
            RollupEventKind.FeedbackPositive, RollupEventKind.FeedbackNeutral, RollupEventKind.FeedbackNegative),
        Gen.OneOfConst("QrPage", "Kiosk", "CallCentre"),
        (location, seconds, kind, channel) => new RollupEvent(location, null, Start.AddSeconds(seconds), kind,
            Channel: kind is RollupEventKind.FeedbackPositive or RollupEventKind.FeedbackNeutral or RollupEventKind.FeedbackNegative ? channel : ""));

    [Fact]
    public void Rollup_HappinessPerChannelFromBuckets_EqualsHappinessOfRawSignals()
    {
        Signal.Array[0, 300].Sample(events =>
        {
            var fromRaw = HappinessIndex.Compute(events.Select(e => e.Kind switch
            {
                RollupEventKind.GreenPress => new SentimentSignal(RollupMetrics.ButtonsChannel, Sentiment.Positive),
                RollupEventKind.RedPress => new SentimentSignal(RollupMetrics.ButtonsChannel, Sentiment.Negative),
                RollupEventKind.FeedbackPositive => new SentimentSignal(e.Channel, Sentiment.Positive),
                RollupEventKind.FeedbackNeutral => new SentimentSignal(e.Channel, Sentiment.Neutral),
                RollupEventKind.FeedbackNegative => new SentimentSignal(e.Channel, Sentiment.Negative),
                _ => new SentimentSignal(RollupMetrics.ButtonsChannel, null),
            }));

            var buckets = Rollup.Build(events);
            var fromBuckets = RollupMetrics.Happiness(buckets.GroupBy(b => b.Key.Channel).Select(g => (g.Key, Rollup.Total(g))));

            Assert.Equal(fromRaw.Overall, fromBuckets.Overall);
            Assert.Equal(fromRaw.ByChannel, fromBuckets.ByChannel);
            var happy = RollupMetrics.Happy(Rollup.Total(buckets));
            Assert.Equal(fromRaw.Overall.Index, happy.Value);
        });
    }

    [Fact]
    public void BucketCounts_FeedbackKinds_CountInTheirOwnColumns()
    {
        var t = Start.AddMinutes(5);
        RollupEvent[] events =
        [
            new(LocationA, null, t, RollupEventKind.FeedbackPositive, Channel: "Kiosk"),
            new(LocationA, null, t, RollupEventKind.FeedbackNegative, Channel: "Kiosk"),
            new(LocationA, null, t, RollupEventKind.FeedbackNeutral, Channel: "QrPage"),
        ];

        var buckets = Rollup.Build(events);

        Assert.Equal(2, buckets.Count);
        Assert.Equal(new BucketCounts(0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1), buckets[0].Counts);
        Assert.Equal("Kiosk", buckets[0].Key.Channel);
        Assert.Equal(new BucketCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), buckets[1].Counts);
    }

    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    private static readonly TimeZoneInfo Kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    // Whole-hour, half- and quarter-hour offsets, daylight saving (New York, Lord Howe's half hour), the clock skipping
    // midnight (Havana in March) and going back over it (Beirut in October 2022).
    private static readonly TimeZoneInfo[] Zones =
    [
        Utc, Moscow, Kolkata, NewYork, TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu"), TimeZoneInfo.FindSystemTimeZoneById("Australia/Lord_Howe"),
        TimeZoneInfo.FindSystemTimeZoneById("America/Havana"), TimeZoneInfo.FindSystemTimeZoneById("Asia/Beirut"),
    ];

    [Fact]
    public void Cover_ReadsWholeMonthsThenWholeDaysThenTheEdgeHours()
    {
        var t = new DateTimeOffset(2025, 6, 1, 21, 0, 0, TimeSpan.Zero); // Moscow midnight of 2 June

        // Moscow's 2–8 June: seven whole Moscow days; the same range for a location in UTC: 3 hours of 1 June, 6 whole days, 21 hours of 8 June.
        Assert.Equal([new RollupSpan(RollupTier.Day, t, t.AddDays(7))], Rollup.Cover(t, t.AddDays(7), Moscow));
        Assert.Equal(
            [new(RollupTier.Hour, t, t.AddHours(3)), new(RollupTier.Day, t.AddHours(3), t.AddDays(6).AddHours(3)), new(RollupTier.Hour, t.AddDays(6).AddHours(3), t.AddDays(7))],
            Rollup.Cover(t, t.AddDays(7), Utc));
        // A Moscow calendar year: twelve whole Moscow months; in UTC: the last 3 hours of 31 December, eleven months, 30 days, 21 hours.
        var year = new DateTimeOffset(2024, 12, 31, 21, 0, 0, TimeSpan.Zero);
        Assert.Equal([new RollupSpan(RollupTier.Month, year, year.AddYears(1))], Rollup.Cover(year, year.AddYears(1), Moscow));
        var feb = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var jan2026 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new(RollupTier.Hour, year, year.AddHours(3)), new(RollupTier.Month, year.AddHours(3), new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero)),
             new(RollupTier.Day, new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero)),
             new(RollupTier.Hour, new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero), year.AddYears(1))],
            Rollup.Cover(year, year.AddYears(1), Utc));
        Assert.Equal([new RollupSpan(RollupTier.Month, feb, jan2026)], Rollup.Cover(feb, jan2026, Utc));
        // A report by day never reads months; hours only where a day is not whole.
        Assert.Equal([new RollupSpan(RollupTier.Day, feb, jan2026)], Rollup.Cover(feb, jan2026, Utc, RollupTier.Day));
        Assert.Equal([new RollupSpan(RollupTier.Hour, t, t.AddDays(7))], Rollup.Cover(t, t.AddDays(7), Moscow, RollupTier.Hour));
        // 15 January 10:00 to 3 March 05:00 (UTC): hours, days, February, days, hours.
        var mid = new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
        var march = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new(RollupTier.Hour, mid, mid.AddHours(14)), new(RollupTier.Day, mid.AddHours(14), feb), new(RollupTier.Month, feb, march),
             new(RollupTier.Day, march, march.AddDays(2)), new(RollupTier.Hour, march.AddDays(2), march.AddDays(2).AddHours(5))],
            Rollup.Cover(mid, march.AddDays(2).AddHours(5), Utc));
        Assert.Equal([new RollupSpan(RollupTier.Hour, t, t.AddHours(20))], Rollup.Cover(t, t.AddHours(20), Moscow));
        Assert.Empty(Rollup.Cover(t, t, Moscow));
        Assert.Throws<ArgumentException>(() => Rollup.Cover(t.AddMinutes(30), t.AddDays(1), Moscow));
    }

    [Fact]
    public void DayStart_IsTheFirstWholeUtcHourOfTheLocalDay()
    {
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 21, 0, 0, TimeSpan.Zero), Rollup.DayStart(new DateOnly(2025, 6, 2), Moscow));
        // Kolkata's midnight is 18:30 UTC: its day starts with the hour from 19:00 UTC (00:30 local).
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 19, 0, 0, TimeSpan.Zero), Rollup.DayStart(new DateOnly(2025, 6, 2), Kolkata));
        // New York's 9 March 2025 has 23 hours: from 05:00 UTC (EST) to 04:00 UTC the next day (EDT).
        Assert.Equal(new DateTimeOffset(2025, 3, 9, 5, 0, 0, TimeSpan.Zero), Rollup.DayStart(new DateOnly(2025, 3, 9), NewYork));
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 4, 0, 0, TimeSpan.Zero), Rollup.DayStart(new DateOnly(2025, 3, 10), NewYork));
        Assert.Equal(new DateOnly(2025, 3, 9), Rollup.LocalDay(new DateTimeOffset(2025, 3, 10, 3, 59, 0, TimeSpan.Zero), NewYork));
        Assert.Equal(new DateOnly(2025, 6, 1), Rollup.LocalDay(new DateTimeOffset(2025, 6, 1, 18, 45, 0, TimeSpan.Zero), Kolkata)); // 00:15 local, but its hour starts on 1 June
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 21, 0, 0, TimeSpan.Zero), Rollup.SpanStart(RollupTier.Month, new DateTimeOffset(2025, 6, 30, 20, 59, 0, TimeSpan.Zero), Moscow));
        Assert.Equal(new DateTimeOffset(2025, 6, 30, 21, 0, 0, TimeSpan.Zero), Rollup.NextSpan(RollupTier.Month, new DateTimeOffset(2025, 5, 31, 21, 0, 0, TimeSpan.Zero), Moscow));
    }

    [Fact]
    public void LocalDays_InEveryZone_PartitionTheHours()
    {
        Gen.Select(Gen.Int[0, Zones.Length - 1], Gen.Int[0, 24 * 800]).Sample((z, h) =>
        {
            var zone = Zones[z];
            var hour = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(h);
            var day = Rollup.LocalDay(hour, zone);
            Assert.True(Rollup.DayStart(day, zone) <= hour);
            Assert.True(hour < Rollup.DayStart(day.AddDays(1), zone));
            Assert.Equal(Rollup.DayStart(day, zone), Rollup.SpanStart(RollupTier.Day, hour, zone));
            Assert.Equal(Rollup.DayStart(day.AddDays(1), zone), Rollup.NextSpan(RollupTier.Day, Rollup.SpanStart(RollupTier.Day, hour, zone), zone));
            // Wherever the offset is whole hours, the local day is simply the date on the clock at the hour's start.
            if (zone.GetUtcOffset(hour).Minutes == 0 && zone.GetUtcOffset(hour.AddHours(-1)) == zone.GetUtcOffset(hour))
                Assert.Equal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(hour, zone).DateTime), day);
        }, iter: 2000);
    }

    [Fact]
    public void Cover_AnyRange_SpansAreAlignedContiguousAndEveryTierGivesTheHourlyTotal()
    {
        // Events over ~14 months so that ranges cross month and year boundaries.
        var events = Gen.Select(Gen.Int[0, 9_999], Gen.Int[0, 3], Gen.Int[0, 2]).Array[0, 60]
            .Select(xs => xs.Select(x => new RollupEvent(LocationA, x.Item3 == 0 ? null : Staff1, Start.AddHours(x.Item1).AddMinutes(x.Item2 * 10),
                x.Item2 switch { 0 => RollupEventKind.GreenPress, 1 => RollupEventKind.RedPress, 2 => RollupEventKind.FeedbackPositive, _ => RollupEventKind.SuppressedPress },
                Channel: x.Item2 == 2 ? "Kiosk" : "")).ToArray());
        Gen.Select(events, Gen.Int[0, 10_000], Gen.Int[0, 10_000], Gen.Int[0, Zones.Length - 1], Gen.Int[0, 2]).Sample((evs, a, b, z, c) =>
        {
            var (zone, coarsest) = (Zones[z], (RollupTier)c);
            var (start, end) = (Start.AddHours(Math.Min(a, b)), Start.AddHours(Math.Max(a, b)));
            var hourly = Rollup.Build(evs);
            var tiers = new Dictionary<RollupTier, IReadOnlyList<HourlyBucket>>
            {
                [RollupTier.Hour] = hourly, [RollupTier.Day] = Rollup.ToTier(RollupTier.Day, hourly, zone), [RollupTier.Month] = Rollup.ToTier(RollupTier.Month, hourly, zone),
            };
            Assert.All(tiers, kv => Assert.All(kv.Value, x => Assert.Equal(Rollup.SpanStart(kv.Key, x.Key.HourStartUtc, zone), x.Key.HourStartUtc)));
            Assert.All(tiers, kv => Assert.Equal(Rollup.Total(hourly), Rollup.Total(kv.Value)));

            var spans = Rollup.Cover(start, end, zone, coarsest);
            var cursor = start;
            foreach (var span in spans)
            {
                Assert.Equal(cursor, span.From);
                Assert.True(span.From < span.To);
                Assert.True(span.Tier <= coarsest);
                Assert.Equal(span.From, Rollup.SpanStart(span.Tier, span.From, zone));
                Assert.Equal(span.To, Rollup.SpanStart(span.Tier, span.To, zone));
                cursor = span.To;
            }

            Assert.Equal(end, spans.Count == 0 ? start : cursor);
            var fromTiers = Rollup.Total(spans.SelectMany(sp => tiers[sp.Tier].Where(x => x.Key.HourStartUtc >= sp.From && x.Key.HourStartUtc < sp.To)));
            Assert.Equal(Rollup.Total(hourly.Where(x => x.Key.HourStartUtc >= start && x.Key.HourStartUtc < end)), fromTiers);
        });
    }
}
