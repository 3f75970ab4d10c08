using MathNet.Numerics.Distributions;
using Otklik.Core.Surveys;

namespace Otklik.Core.Tests.Surveys;

public class DriverAnalysisTests
{
    private const int Seed = 20250601;

    /// <summary>
    /// Key score = 1.5·staff + 1.0·price + N(0, 1). Staff is strong and poorly rated, price weaker and well rated,
    /// music and parking are pure noise (well and poorly rated). About 10 % of factor answers and 2 % of key answers are missing.
    /// </summary>
    private static List<SurveyResponse> Synthetic(int n)
    {
        var random = new Random(Seed);
        var responses = new List<SurveyResponse>(n);
        for (var i = 0; i < n; i++)
        {
            int staff = random.Next(1, 5), price = random.Next(3, 6), music = random.Next(4, 6), parking = random.Next(1, 4);
            var key = (1.5 * staff) + price + Normal.Sample(random, 0, 1);
            int? Maybe(int v) => random.NextDouble() < 0.1 ? null : v;
            var factors = new Dictionary<string, int?>(StringComparer.Ordinal)
            {
                ["staff"] = Maybe(staff),
                ["price"] = Maybe(price),
                ["music"] = Maybe(music),
                ["parking"] = Maybe(parking),
            };
            responses.Add(new SurveyResponse(random.NextDouble() < 0.02 ? null : key, factors));
        }

        return responses;
    }

    [Fact]
    public void Drivers_PlantedStrongFactor_IsOnTopAndNoiseFactorsNearZero()
    {
        var result = DriverAnalysis.Analyze(Synthetic(400));

        Assert.Equal(["staff", "price"], result.Factors.Take(2).Select(f => f.Factor));
        var staff = result.Factors[0];
        Assert.InRange(staff.Importance!.Value, 0.7, 0.9);
        foreach (var noise in result.Factors.Where(f => f.Factor is "music" or "parking"))
        {
            Assert.InRange(noise.Importance!.Value, -0.15, 0.15);
        }
    }

    [Fact]
    public void Drivers_EnoughCompleteResponses_ComputesStandardizedCoefficients()
    {
        var result = DriverAnalysis.Analyze(Synthetic(400));

        Assert.True(result.RegressionComputed);
        Assert.True(result.RegressionN >= 40);
        var beta = result.Factors.ToDictionary(f => f.Factor, f => f.StandardizedCoefficient!.Value);
        Assert.True(beta["staff"] > beta["price"]);
        Assert.True(beta["price"] > 0.2);
        Assert.InRange(beta["music"], -0.1, 0.1);
        Assert.InRange(beta["parking"], -0.1, 0.1);
    }

    [Fact]
    public void Drivers_PlantedData_LandsInTheExpectedQuadrants()
    {
        var result = DriverAnalysis.Analyze(Synthetic(400));

        var quadrant = result.Factors.ToDictionary(f => f.Factor, f => f.Quadrant);
        Assert.Equal(DriverQuadrant.Bottleneck, quadrant["staff"]);
        Assert.Equal(DriverQuadrant.GrowthDriver, quadrant["price"]);
        Assert.Equal(DriverQuadrant.Maintain, quadrant["music"]);
        Assert.Equal(DriverQuadrant.Secondary, quadrant["parking"]);
    }

    [Fact]
    public void Drivers_MissingAnswers_AreLeftOutPairwise()
    {
        List<SurveyResponse> responses =
        [
            new(5, new Dictionary<string, int?> { ["a"] = 5 }),
            new(3, new Dictionary<string, int?> { ["a"] = 3 }),
            new(1, new Dictionary<string, int?> { ["a"] = 1 }),
            new(null, new Dictionary<string, int?> { ["a"] = 1 }),
            new(4, new Dictionary<string, int?> { ["a"] = null }),
        ];

        var factor = Assert.Single(DriverAnalysis.Analyze(responses).Factors);

        Assert.Equal(3, factor.N);
        Assert.Equal(1, factor.Importance!.Value, 9);
        Assert.Equal(3, factor.Satisfaction);
    }

    [Fact]
    public void Drivers_FewerThan30Pairs_AreFlaggedAndSkipRegression()
    {
        var result = DriverAnalysis.Analyze(Synthetic(29));

        Assert.All(result.Factors, f => Assert.True(f.IsLowSample));
        Assert.False(result.RegressionComputed);
        Assert.All(result.Factors, f => Assert.Null(f.StandardizedCoefficient));
    }

    [Fact]
    public void Drivers_FactorWithoutVariance_IsUndeterminedAndListedLast()
    {
        var responses = Enumerable.Range(0, 40)
            .Select(i => new SurveyResponse(i % 5, new Dictionary<string, int?> { ["flat"] = 4, ["moving"] = 1 + (i % 5) }))
            .ToList();

        var result = DriverAnalysis.Analyze(responses);

        Assert.Equal("flat", result.Factors[^1].Factor);
        Assert.Equal(DriverQuadrant.Undetermined, result.Factors[^1].Quadrant);
        Assert.Null(result.Factors[^1].Importance);
        Assert.False(result.RegressionComputed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Drivers_FactorScoreOutsideOneToFive_Throws(int bad)
    {
        List<SurveyResponse> responses = [new(5, new Dictionary<string, int?> { ["a"] = bad })];

        Assert.Throws<ArgumentOutOfRangeException>(() => DriverAnalysis.Analyze(responses));
    }

    [Theory]
    [InlineData(0.9, 2.0, DriverQuadrant.Bottleneck)]
    [InlineData(0.9, 4.0, DriverQuadrant.GrowthDriver)]
    [InlineData(0.1, 2.0, DriverQuadrant.Secondary)]
    [InlineData(0.1, 4.0, DriverQuadrant.Maintain)]
    [InlineData(0.5, 3.0, DriverQuadrant.Maintain)]
    public void Classify_SplitsStrictlyAtTheMedians(double importance, double satisfaction, DriverQuadrant expected)
    {
        Assert.Equal(expected, DriverAnalysis.Classify(importance, satisfaction, importanceMedian: 0.5, satisfactionMedian: 3.0));
    }
}
