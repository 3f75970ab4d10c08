using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Simulation;

namespace Otklik.Devices.Simulator.Tests.Simulation;

public class PressGeneratorTests
{
    [Fact]
    public void SameSeed_GivesSameSequence()
    {
        var a = new PressGenerator(42, 10, 0.15);
        var b = new PressGenerator(42, 10, 0.15);

        var first = Enumerable.Range(0, 1000).Select(_ => (a.NextDevice(), a.NextColor(), a.Chance(0.1))).ToList();
        var second = Enumerable.Range(0, 1000).Select(_ => (b.NextDevice(), b.NextColor(), b.Chance(0.1))).ToList();

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0.15)]
    [InlineData(0.5)]
    [InlineData(0.02)]
    public void RedShare_FixedSeed_IsWithinFourStandardErrors(double share)
    {
        const int n = 40_000;
        var generator = new PressGenerator(7, 3, share);

        var red = Enumerable.Range(0, n).Count(_ => generator.NextColor() == ButtonColor.Red);

        var tolerance = 4 * Math.Sqrt(share * (1 - share) / n);
        Assert.InRange((double)red / n, share - tolerance, share + tolerance);
    }

    [Fact]
    public void NextDevice_ReachesEveryDevice()
    {
        var generator = new PressGenerator(1, 20, 0.15);

        var seen = Enumerable.Range(0, 2000).Select(_ => generator.NextDevice()).ToHashSet();

        Assert.Equal(Enumerable.Range(0, 20).ToHashSet(), seen);
    }
}
