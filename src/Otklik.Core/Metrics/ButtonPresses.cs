namespace Otklik.Core.Metrics;

/// <summary>Green/red button metrics for a set of presses.</summary>
/// <param name="Green">Green presses.</param>
/// <param name="Red">Red presses (the caller has already excluded presses it does not count).</param>
/// <param name="Receipts">Receipts in the same scope and period, when known.</param>
/// <param name="GreenShare">green / (green + red), 0..1; <see langword="null"/> when there are no presses.</param>
/// <param name="RedRatePer100Receipts">red presses per 100 receipts; <see langword="null"/> when there are no receipts.</param>
public sealed record ButtonPressResult(long Green, long Red, long? Receipts, double? GreenShare, double? RedRatePer100Receipts);

/// <summary>Green share and red rate: the one definition used everywhere.</summary>
public static class ButtonPresses
{
    /// <summary>Computes green share = green / (green + red) and red rate = red per 100 receipts.</summary>
    /// <param name="green">Green presses.</param>
    /// <param name="red">Red presses.</param>
    /// <param name="receipts">Receipts in the period, or <see langword="null"/> when there is no POS data.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static ButtonPressResult Compute(long green, long red, long? receipts = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(green);
        ArgumentOutOfRangeException.ThrowIfNegative(red);
        if (receipts is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r, nameof(receipts));
        }

        var presses = green + red;
        double? share = presses == 0 ? null : (double)green / presses;
        double? redRate = receipts is > 0 ? 100.0 * red / receipts.Value : null;
        return new ButtonPressResult(green, red, receipts, share, redRate);
    }
}
