using CsCheck;
using MathNet.Numerics.Statistics;
using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class NpsTests
{
    private static readonly Gen<int[]> Answers = Gen.Int[0, 10].Array[1, 200];

    [Fact]
    public void Nps_AllPromoters_Is100()
    {
        var result = Nps.Compute([9, 10, 10, 9]);

        Assert.Equal(100, result.Score);
        Assert.Equal(0, result.MarginOfError);
        Assert.Equal(4, result.Promoters);
    }

    [Fact]
    public void Nps_AllDetractors_IsMinus100()
    {
        var result = Nps.Compute([0, 3, 6]);

        Assert.Equal(-100, result.Score);
        Assert.Equal(3, result.Detractors);
    }

    [Fact]
    public void Nps_TenKnownAnswers_GivesExactScoreAndMarginOfError()
    {
        // 5 promoters, 2 passives, 3 detractors: score 50 − 30 = 20;
        // var = 0.5 + 0.3 − 0.2² = 0.76; MoE = 1.96 · sqrt(0.76 / 10) · 100 = 54.0334711...
        var result = Nps.Compute([10, 10, 9, 9, 9, 8, 7, 6, 3, 0]);

        Assert.Equal(10, result.N);
        Assert.Equal((5, 2, 3), (result.Promoters, result.Passives, result.Detractors));
        Assert.Equal(20, result.Score!.Value, 9);
        Assert.Equal(54.0334711, result.MarginOfError!.Value, 6);
    }

    [Fact]
    public void Nps_BoundaryAnswers_AreClassifiedAtSixSevenEightNine()
    {
        Assert.Equal(NpsCategory.Detractor, Nps.Classify(6));
        Assert.Equal(NpsCategory.Passive, Nps.Classify(7));
        Assert.Equal(NpsCategory.Passive, Nps.Classify(8));
        Assert.Equal(NpsCategory.Promoter, Nps.Classify(9));
    }

    [Fact]
    public void Nps_NoAnswers_IsNoDataNotNaN()
    {
        var result = Nps.Compute([]);

        Assert.False(result.HasData);
        Assert.Null(result.Score);
        Assert.Null(result.MarginOfError);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    [InlineData(int.MaxValue)]
    public void Nps_AnswerOutsideZeroToTen_Throws(int bad)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Nps.Compute([5, bad]));
    }

    [Fact]
    public void Nps_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Nps.FromCounts(1, -1, 0));
    }

    [Fact]
    public void Nps_AnyAnswers_ScoreIsWithinMinus100And100()
    {
        Answers.Sample(answers =>
        {
            var score = Nps.Compute(answers).Score!.Value;
            Assert.InRange(score, -100, 100);
        });
    }

    [Fact]
    public void Nps_AddingAPromoter_NeverLowersScore()
    {
        Gen.Select(Answers, Gen.Int[9, 10]).Sample((answers, promoter) =>
        {
            var before = Nps.Compute(answers).Score!.Value;
            var after = Nps.Compute([.. answers, promoter]).Score!.Value;
            Assert.True(after >= before - 1e-9, $"{before} -> {after}");
        });
    }

    [Fact]
    public void Nps_AddingADetractor_NeverRaisesScore()
    {
        Gen.Select(Answers, Gen.Int[0, 6]).Sample((answers, detractor) =>
        {
            var before = Nps.Compute(answers).Score!.Value;
            var after = Nps.Compute([.. answers, detractor]).Score!.Value;
            Assert.True(after <= before + 1e-9, $"{before} -> {after}");
        });
    }

    [Fact]
    public void Nps_MarginOfError_MatchesPopulationVarianceOfPerAnswerScores()
    {
        Answers.Sample(answers =>
        {
            var perAnswer = answers.Select(a => a >= 9 ? 1.0 : a >= 7 ? 0.0 : -1.0).ToArray();
            var expected = 1.96 * Math.Sqrt(perAnswer.PopulationVariance() / perAnswer.Length) * 100;
            Assert.Equal(expected, Nps.Compute(answers).MarginOfError!.Value, 6);
        });
    }

    [Fact]
    public void Nps_FromCounts_EqualsComputeFromAnswers()
    {
        Answers.Sample(answers =>
        {
            var fromAnswers = Nps.Compute(answers);
            var fromCounts = Nps.FromCounts(fromAnswers.Promoters, fromAnswers.Passives, fromAnswers.Detractors);
            Assert.Equal(fromAnswers, fromCounts);
        });
    }
}
