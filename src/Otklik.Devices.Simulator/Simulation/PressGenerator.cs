using Otklik.Devices.Simulator.Protocol;

namespace Otklik.Devices.Simulator.Simulation;

/// <summary>
/// The seedable source of every random decision in a run: which device is pressed, red or green, whether a duplicate
/// re-send follows, whether a child starts hammering red. Same seed, same answers in the same order. Event ids are
/// not drawn from here: they must stay unique across runs, or a re-run would look like duplicates to the server.
/// </summary>
public sealed class PressGenerator
{
    private readonly Random _random;

    public PressGenerator(int? seed, int deviceCount, double redShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(deviceCount);
        if (redShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(redShare), "Between 0 and 1.");
        _random = seed is { } s ? new Random(s) : new Random();
        DeviceCount = deviceCount;
        RedShare = redShare;
    }

    public int DeviceCount { get; }

    public double RedShare { get; }

    /// <summary>Which device is pressed next (uniform, so every device gets its share of the load).</summary>
    public int NextDevice() => _random.Next(DeviceCount);

    public ButtonColor NextColor() => _random.NextDouble() < RedShare ? ButtonColor.Red : ButtonColor.Green;

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability) => probability > 0 && _random.NextDouble() < probability;

    /// <summary>A uniform index below <paramref name="count"/>.</summary>
    public int Pick(int count) => _random.Next(count);
}
