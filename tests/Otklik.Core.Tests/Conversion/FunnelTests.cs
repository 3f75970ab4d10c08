using Otklik.Core.Conversion;

namespace Otklik.Core.Tests.Conversion;

public class FunnelTests
{
    private static readonly string[] Stages = ["greeting", "needs", "presentation", "checkout"];

    [Fact]
    public void Funnel_KnownExits_GivesDropOffPerStageAndBiggestDropWithTopReasons()
    {
        FunnelExit[] exits =
        [
            new("greeting", "just looking", 10),
            new("needs", "no size", 6),
            new("needs", "price", 4),
            new("presentation", "price", 20),
            new("presentation", "no size", 5),
            new("presentation", "colour", 3),
            new("presentation", "will think", 2),
            new("presentation", "price", 5),
            new("checkout", "queue", 5),
        ];

        var result = Funnel.Analyze(Stages, entered: 100, exits);

        Assert.Equal([100L, 90L, 80L, 45L], result.Stages.Select(s => s.Reached));
        Assert.Equal([10L, 10L, 35L, 5L], result.Stages.Select(s => s.Exits));
        Assert.Equal(0.4375, result.Stages[2].DropOffShare);
        Assert.Equal(40, result.Completed);
        Assert.Equal("presentation", result.BiggestDrop!.Stage);
        Assert.Equal(
            [new ReasonCount("price", 25), new ReasonCount("no size", 5), new ReasonCount("colour", 3)],
            result.TopReasons);
    }

    [Fact]
    public void Funnel_EqualShares_BiggestDropIsStageWithMoreExits()
    {
        // greeting: 10/100 = 0.1; needs: 9/90 = 0.1 → greeting has more exits.
        var result = Funnel.Analyze(Stages, 100, [new("needs", "x", 9), new("greeting", "y", 10)]);

        Assert.Equal("greeting", result.BiggestDrop!.Stage);
    }

    [Fact]
    public void Funnel_NoExits_HasNoBiggestDrop()
    {
        var result = Funnel.Analyze(Stages, 10, []);

        Assert.Null(result.BiggestDrop);
        Assert.Empty(result.TopReasons);
        Assert.Equal(10, result.Completed);
    }

    [Fact]
    public void Funnel_UnknownStage_Throws()
    {
        Assert.Throws<ArgumentException>(() => Funnel.Analyze(Stages, 10, [new("payment", "x", 1)]));
    }

    [Fact]
    public void Funnel_MoreExitsThanReached_Throws()
    {
        Assert.Throws<ArgumentException>(() => Funnel.Analyze(Stages, 10, [new("greeting", "x", 8), new("needs", "y", 3)]));
    }

    [Fact]
    public void Funnel_RepeatedStage_Throws()
    {
        Assert.Throws<ArgumentException>(() => Funnel.Analyze(["a", "a"], 10, []));
    }
}
