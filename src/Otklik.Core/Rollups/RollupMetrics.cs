using Otklik.Core.Metrics;

namespace Otklik.Core.Rollups;

/// <summary>
/// The metrics of summed bucket counts, through the one definition of each metric (<see cref="ButtonPresses"/>,
/// <see cref="HappinessIndex"/>, <see cref="Trends"/>). Used alike for counts summed from rollups and counted from raw events.
/// </summary>
public static class RollupMetrics
{
    /// <summary>Channel key of loyalty-button presses in the happiness breakdown.</summary>
    public const string ButtonsChannel = "Buttons";

    /// <summary>Green share and red rate; the red rate only where receipts were counted.</summary>
    /// <param name="counts">Summed counts.</param>
    public static ButtonPressResult Buttons(BucketCounts counts) =>
        ButtonPresses.Compute(counts.Green, counts.Red, counts.Receipts > 0 ? counts.Receipts : null);

    /// <summary>
    /// Happiness index over buttons (green positive, red negative; suppressed presses are not signals) and every feedback channel
    /// (positive over positive + neutral + negative), with a per-channel breakdown.
    /// </summary>
    /// <param name="byChannel">Summed counts per bucket channel key (empty key: presses and sales counts).</param>
    public static HappinessResult Happiness(IEnumerable<(string Channel, BucketCounts Counts)> byChannel)
    {
        ArgumentNullException.ThrowIfNull(byChannel);
        return HappinessIndex.FromCounts(Parts(byChannel));
    }

    private static IEnumerable<(string Channel, long Positive, long Total)> Parts(IEnumerable<(string Channel, BucketCounts Counts)> byChannel)
    {
        foreach (var (channel, c) in byChannel)
        {
            if (c.Green + c.Red > 0)
            {
                yield return (ButtonsChannel, c.Green, c.Green + c.Red);
            }

            if (c.Feedback > 0)
            {
                yield return (string.IsNullOrEmpty(channel) ? "Feedback" : channel, c.FeedbackPositive, c.Feedback);
            }
        }
    }

    /// <summary>Green presses out of counted presses, for <see cref="Trends"/>.</summary>
    /// <param name="counts">Summed counts.</param>
    public static Proportion GreenShare(BucketCounts counts) => new(counts.Green, counts.Green + counts.Red);

    /// <summary>Positive signals out of all signals with a sentiment (buttons and feedback), for <see cref="Trends"/>.</summary>
    /// <param name="counts">Summed counts.</param>
    public static Proportion Happy(BucketCounts counts) =>
        new(counts.Green + counts.FeedbackPositive, counts.Green + counts.Red + counts.Feedback);
}
