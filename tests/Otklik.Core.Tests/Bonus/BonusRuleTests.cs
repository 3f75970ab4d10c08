using CsCheck;
using Otklik.Core.Bonus;

namespace Otklik.Core.Tests.Bonus;

public class BonusRuleTests
{
    // docs/bonus-example.md
    private static readonly BonusRule ExampleRule = new(
        BaseFund: 30_000m,
        Components:
        [
            new(BonusMetric.SupportIndex, Weight: 2m, Threshold: 0.004),
            new(BonusMetric.GreenShare, Weight: 5m, Threshold: 0.80),
            new(BonusMetric.Nps, Weight: 3m, Threshold: 30),
        ],
        CapPerEmployee: 12_000m);

    private static readonly EmployeePeriodCounts[] ExampleEmployees =
    [
        new("anna", GreenPresses: 95, RedPresses: 5, NewPositiveReviews: 4, CustomersServed: 800, Promoters: 12, Passives: 3, Detractors: 1),
        new("boris", GreenPresses: 70, RedPresses: 30, NewPositiveReviews: 3, CustomersServed: 500, Promoters: 5, Passives: 3, Detractors: 2),
        // 18 red presses, 3 from a ConsumerTerrorism case removed by the caller.
        new("vera", GreenPresses: 85, RedPresses: 18 - 3, NewPositiveReviews: 1, CustomersServed: 400, Promoters: 4, Passives: 4, Detractors: 4),
    ];

    [Fact]
    public void Bonus_WorkedExampleFromDocs_IsReproducedExactly()
    {
        var result = ExampleRule.Calculate(ExampleEmployees);

        var anna = result.Statements[0];
        Assert.Equal([3_000m, 7_500m, 4_500m], anna.Lines.Select(l => l.Amount));
        Assert.Equal(15_000m, anna.Subtotal);
        Assert.Equal(12_000m, anna.Total);
        Assert.True(anna.IsCapped);

        var boris = result.Statements[1];
        Assert.Equal([3_000m, 0m, 4_500m], boris.Lines.Select(l => l.Amount));
        Assert.Equal(7_500m, boris.Total);
        Assert.False(boris.IsCapped);

        var vera = result.Statements[2];
        Assert.Equal([0m, 7_500m, 0m], vera.Lines.Select(l => l.Amount));
        Assert.Equal(7_500m, vera.Total);

        Assert.Equal(27_000m, result.Allocated);
        Assert.Equal(3_000m, result.Unallocated);
    }

    [Fact]
    public void Bonus_WorkedExample_LinesExplainValueThresholdWeightAndFund()
    {
        var result = ExampleRule.Calculate(ExampleEmployees);

        var annaGreen = result.Statements[0].Lines[1];
        Assert.Equal(BonusMetric.GreenShare, annaGreen.Metric);
        Assert.Equal(0.95, annaGreen.Value);
        Assert.Equal(0.80, annaGreen.Threshold);
        Assert.Equal(5m, annaGreen.Weight);
        Assert.Equal(15_000m, annaGreen.ComponentFund);
        Assert.Equal(2, annaGreen.EligibleEmployees);
        Assert.Equal("green share 0.95 ≥ threshold 0.8: fund 15000.00 / 2 eligible = 7500.00", annaGreen.Explanation);

        var borisNps = result.Statements[1].Lines[2];
        Assert.Equal(30, borisNps.Value);
        Assert.True(borisNps.MetThreshold);

        var veraSupport = result.Statements[2].Lines[0];
        Assert.Equal(0.0025, veraSupport.Value);
        Assert.False(veraSupport.MetThreshold);
        Assert.Equal("support index 0.0025 < threshold 0.004: pays 0", veraSupport.Explanation);
    }

    [Fact]
    public void Bonus_NoDataForMetric_PaysZeroForThatLine()
    {
        var rule = new BonusRule(1_000m, [new(BonusMetric.Nps, 1m, -100)]);

        var result = rule.Calculate([new("new-hire", 0, 0, 0, 0, 0, 0, 0)]);

        var line = Assert.Single(result.Statements[0].Lines);
        Assert.Null(line.Value);
        Assert.Equal(0m, line.Amount);
        Assert.Equal(1_000m, result.Unallocated);
    }

    [Fact]
    public void Bonus_UnevenSplit_RoundsDownAndNeverExceedsFund()
    {
        var rule = new BonusRule(100m, [new(BonusMetric.GreenShare, 1m, 0)]);

        var result = rule.Calculate([new("a", 1, 0, 0, 0, 0, 0, 0), new("b", 1, 0, 0, 0, 0, 0, 0), new("c", 1, 0, 0, 0, 0, 0, 0)]);

        Assert.All(result.Statements, s => Assert.Equal(33.33m, s.Total));
        Assert.Equal(0.01m, result.Unallocated);
    }

    [Fact]
    public void Bonus_AnyCounts_AllocatedNeverExceedsFundAndCapHolds()
    {
        var employee = Gen.Select(Gen.Int[0, 200], Gen.Int[0, 200], Gen.Int[0, 20], Gen.Int[0, 2_000], Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int[0, 30]);
        Gen.Select(employee.Array[1, 15], Gen.Int[0, 100_000], Gen.Int[0, 50_000]).Sample((rows, fund, cap) =>
        {
            var employees = rows.Select((r, i) => new EmployeePeriodCounts($"e{i}", r.Item1, r.Item2, r.Item3, r.Item4, r.Item5, r.Item6, r.Item7)).ToList();
            var rule = ExampleRule with { BaseFund = fund, CapPerEmployee = cap };

            var result = rule.Calculate(employees);

            Assert.True(result.Allocated <= fund);
            Assert.True(result.Unallocated >= 0);
            Assert.All(result.Statements, s => Assert.True(s.Total <= cap && s.Total >= 0));
        });
    }

    [Fact]
    public void Bonus_DuplicateEmployee_Throws()
    {
        Assert.Throws<ArgumentException>(() => ExampleRule.Calculate([ExampleEmployees[0], ExampleEmployees[0]]));
    }

    [Fact]
    public void Bonus_SameMetricTwice_Throws()
    {
        var rule = new BonusRule(10m, [new(BonusMetric.Nps, 1m, 0), new(BonusMetric.Nps, 1m, 10)]);

        Assert.Throws<ArgumentException>(() => rule.Calculate(ExampleEmployees));
    }

    [Fact]
    public void Bonus_ZeroTotalWeight_Throws()
    {
        var rule = new BonusRule(10m, [new(BonusMetric.Nps, 0m, 0)]);

        Assert.Throws<ArgumentException>(() => rule.Calculate(ExampleEmployees));
    }
}
