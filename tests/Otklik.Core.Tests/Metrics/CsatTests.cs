using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class CsatTests
{
    [Fact]
    public void Csat_ThreeOfFourSatisfied_Is75()
    {
        var result = Csat.Compute([5, 4, 4, 3]);

        Assert.Equal(4, result.N);
        Assert.Equal(3, result.Satisfied);
        Assert.Equal(75, result.Score);
    }

    [Fact]
    public void Csat_NoAnswers_IsNoData()
    {
        var result = Csat.Compute([]);

        Assert.False(result.HasData);
        Assert.Null(result.Score);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Csat_AnswerOutsideOneToFive_Throws(int bad)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Csat.Compute([4, bad]));
    }
}
