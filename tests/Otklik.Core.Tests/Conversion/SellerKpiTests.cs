using CsCheck;
using Otklik.Core.Conversion;
using Otklik.Core.Rollups;

namespace Otklik.Core.Tests.Conversion;

public class SellerKpiTests
{
    private static readonly Guid Shop = Guid.Parse("0f9b8c5e-1a61-4f1e-9a0e-00000000000a");
    private static readonly Guid Mall = Guid.Parse("0f9b8c5e-1a61-4f1e-9a0e-00000000000b");
    private static readonly Guid Anna = Guid.Parse("5c6d0c7a-2b9b-4a44-8d53-00000000000a");
    private static readonly Guid Boris = Guid.Parse("5c6d0c7a-2b9b-4a44-8d53-00000000000b");
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Stages = ["greeting", "needs", "presentation", "objections", "purchase"];

    [Fact]
    public void Compute_HandExample_GivesEachKpi()
    {
        // 200 visitors while Anna was on the floor, 50 receipts for 75 000.00 with 120 items, 90 approaches,
        // 18 green and 2 red presses, 30 funnel entries.
        var kpi = SellerKpis.Compute(new SalesCounts(200, 50, 75_000.00m, 120, 90), 18, 2, 30);

        Assert.Equal(0.25, kpi.Sales.Conversion);
        Assert.Equal(1_500.00m, kpi.Sales.AverageCheck);
        Assert.Equal(2.4, kpi.Sales.ItemsPerReceipt);
        Assert.Equal(0.45, kpi.Sales.Coverage);
        Assert.Equal(0.9, kpi.Quality);
        Assert.Equal(30, kpi.FunnelEntries);
    }

    [Fact]
    public void Compute_NothingMeasured_LeavesRatiosEmpty()
    {
        var kpi = SellerKpis.Compute(default, 0, 0, 0);

        Assert.Null(kpi.Sales.Conversion);
        Assert.Null(kpi.Sales.AverageCheck);
        Assert.Null(kpi.Sales.Coverage);
        Assert.Null(kpi.Quality);
    }

    [Theory]
    [InlineData(0.30, 0.30, KpiRating.Meets)]
    [InlineData(0.29, 0.30, KpiRating.Below)]
    [InlineData(0.50, null, KpiRating.Unrated)]
    [InlineData(null, 0.30, KpiRating.Unrated)]
    public void Rate_ComparesWithThreshold(double? value, double? threshold, KpiRating expected) =>
        Assert.Equal(expected, SellerKpis.Rate(value, threshold));

    [Fact]
    public void Rate_Money_AtThresholdMeets() =>
        Assert.Equal((KpiRating.Meets, KpiRating.Below), (SellerKpis.Rate(1500m, 1500m), SellerKpis.Rate(1499.99m, 1500m)));

    [Fact]
    public void AnalyzeOutcomes_HandExample_FindsTheBiggestDropAndItsReasons()
    {
        // 10 conversations: 4 bought; 1 left at greeting (just looking); 1 at needs (no size);
        // 4 at presentation: price ×2, no size, waiting.
        FunnelOutcome[] outcomes =
        [
            new(null, null), new(null, null), new(null, null), new(null, null),
            new("greeting", "just-looking"), new("needs", "no-size"),
            new("presentation", "price"), new("presentation", "price"), new("presentation", "no-size"), new("presentation", "waiting"),
        ];

        var result = Funnel.AnalyzeOutcomes(Stages, outcomes);

        Assert.Equal((10L, 4L), (result.Entered, result.Completed));
        Assert.Equal([10L, 9, 8, 4, 4], result.Stages.Select(s => s.Reached));
        Assert.Equal([1L, 1, 4, 0, 0], result.Stages.Select(s => s.Exits));
        Assert.Equal(0.5, result.Stages[2].DropOffShare);
        Assert.Equal("presentation", result.BiggestDrop?.Stage);
        Assert.Equal([new ReasonCount("price", 2), new ReasonCount("no-size", 1), new ReasonCount("waiting", 1)], result.TopReasons);
    }

    [Fact]
    public void AnalyzeOutcomes_StageNoLongerConfigured_IsKeptAfterTheConfiguredOnes()
    {
        var result = Funnel.AnalyzeOutcomes(["greeting"], [new("fitting-room", "no-size"), new(null, null)]);

        Assert.Equal(["greeting", "fitting-room"], result.Stages.Select(s => s.Stage));
        Assert.Equal(1, result.Stages[1].Exits);
        Assert.Equal(1, result.Completed);
    }

    [Fact]
    public void AnalyzeOutcomes_Property_ExitsPlusPurchasesEqualEntries()
    {
        var outcome = Gen.Select(Gen.OneOfConst<string?>([null, .. Stages]), Gen.OneOfConst<string?>(null, "price", "no-size"), (s, r) => new FunnelOutcome(s, r));
        outcome.Array[0, 200].Sample(outcomes =>
        {
            var result = Funnel.AnalyzeOutcomes(Stages, outcomes);
            Assert.Equal(outcomes.Length, result.Entered);
            Assert.Equal(result.Entered, result.Completed + result.Stages.Sum(s => s.Exits));
            Assert.Equal(outcomes.Count(o => o.Stage is null), result.Completed);
        });
    }

    private static readonly Gen<RollupEvent> SalesEvent = Gen.Select(
        Gen.OneOfConst(Shop, Mall),
        Gen.OneOfConst<Guid?>(Anna, Boris, null),
        Gen.Int[0, 14 * 24 * 3600 - 1],
        Gen.OneOfConst(RollupEventKind.Visitor, RollupEventKind.Receipt, RollupEventKind.SalesAttempt),
        Gen.Int[0, 500_000],
        Gen.Int[1, 10],
        (location, staff, seconds, kind, kopecks, items) => new RollupEvent(
            location, kind == RollupEventKind.Visitor ? null : staff, Monday.AddSeconds(seconds), kind,
            kind == RollupEventKind.Receipt ? kopecks / 100m : 0m, kind == RollupEventKind.Receipt ? items : 0));

    /// <summary>
    /// Conversion per location × hour of day, per weekday and per employee from hourly rollups equals the same grouping
    /// of the raw events: hourly buckets never split what the reports group by.
    /// </summary>
    [Fact]
    public void ConversionFromRollups_PerLocationHourWeekdayAndEmployee_EqualsRaw()
    {
        SalesEvent.Array[0, 400].Sample(events =>
        {
            var buckets = Rollup.Build(events);
            Check(b => (b.Key.LocationId, b.Key.HourStartUtc.Hour), e => (e.LocationId, e.OccurredAt.UtcDateTime.Hour));
            Check(b => b.Key.HourStartUtc.DayOfWeek, e => e.OccurredAt.UtcDateTime.DayOfWeek);
            Check(b => b.Key.StaffId ?? Guid.Empty, e => e.StaffId ?? Guid.Empty);

            void Check<TKey>(Func<HourlyBucket, TKey> bucketKey, Func<RollupEvent, TKey> eventKey) where TKey : notnull
            {
                var fromBuckets = buckets.GroupBy(bucketKey).ToDictionary(g => g.Key, g => Rollup.Total(g).ToConversion());
                var fromRaw = events.GroupBy(eventKey).ToDictionary(g => g.Key, g => Rollup.Count(g).ToConversion());
                Assert.Equal(fromRaw.Count, fromBuckets.Count);
                foreach (var (key, raw) in fromRaw)
                {
                    var rolled = fromBuckets[key];
                    Assert.Equal(raw.Counts, rolled.Counts);
                    Assert.Equal(raw.Conversion, rolled.Conversion);
                    Assert.Equal(raw.AverageCheck, rolled.AverageCheck);
                    Assert.Equal(raw.Coverage, rolled.Coverage);
                }
            }
        });
    }
}
