namespace Otklik.Core.Metrics;

/// <summary>Sentiment of one customer signal.</summary>
public enum Sentiment
{
    /// <summary>Negative (complaint, red press, low score).</summary>
    Negative,

    /// <summary>Neutral: counted in the denominator, not the numerator.</summary>
    Neutral,

    /// <summary>Positive (praise, green press, high score).</summary>
    Positive,
}

/// <summary>One customer signal from any channel.</summary>
/// <param name="Channel">Channel key (e.g. "button", "qr", "kiosk", "survey"); compared ordinally.</param>
/// <param name="Sentiment">Its sentiment, or <see langword="null"/> when none was determined (such signals are ignored).</param>
public readonly record struct SentimentSignal(string Channel, Sentiment? Sentiment);

/// <summary>Happiness numbers for one channel or for all channels.</summary>
/// <param name="Positive">Positive signals.</param>
/// <param name="Total">Signals with a sentiment.</param>
/// <param name="Index">Positive / total, 0..1; <see langword="null"/> when total is 0.</param>
public sealed record HappinessPart(long Positive, long Total, double? Index);

/// <summary>Happiness index across channels with a per-channel breakdown.</summary>
/// <param name="Overall">All channels together (not an average of channel indices).</param>
/// <param name="ByChannel">Per channel key, ordinal ordering.</param>
public sealed record HappinessResult(HappinessPart Overall, IReadOnlyDictionary<string, HappinessPart> ByChannel);

/// <summary>Happiness index = positive signals / all signals with a sentiment, across all channels.</summary>
public static class HappinessIndex
{
    /// <summary>Computes the index from individual signals; signals without a sentiment are ignored.</summary>
    /// <param name="signals">Signals from any channel.</param>
    public static HappinessResult Compute(IEnumerable<SentimentSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var counts = new SortedDictionary<string, (long Positive, long Total)>(StringComparer.Ordinal);
        foreach (var signal in signals)
        {
            if (signal.Sentiment is not { } sentiment)
            {
                continue;
            }

            ArgumentNullException.ThrowIfNull(signal.Channel, nameof(signals));
            counts.TryGetValue(signal.Channel, out var c);
            counts[signal.Channel] = (c.Positive + (sentiment == Sentiment.Positive ? 1 : 0), c.Total + 1);
        }

        return Build(counts);
    }

    /// <summary>Computes the index from per-channel counts (e.g. from rollups). Repeated channel keys are summed.</summary>
    /// <param name="channels">Channel key, positive count and count of signals with a sentiment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or positive exceeds total.</exception>
    public static HappinessResult FromCounts(IEnumerable<(string Channel, long Positive, long Total)> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var counts = new SortedDictionary<string, (long Positive, long Total)>(StringComparer.Ordinal);
        foreach (var (channel, positive, total) in channels)
        {
            ArgumentNullException.ThrowIfNull(channel, nameof(channels));
            ArgumentOutOfRangeException.ThrowIfNegative(positive, nameof(channels));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(positive, total, nameof(channels));
            counts.TryGetValue(channel, out var c);
            counts[channel] = (c.Positive + positive, c.Total + total);
        }

        return Build(counts);
    }

    private static HappinessResult Build(SortedDictionary<string, (long Positive, long Total)> counts)
    {
        var byChannel = new SortedDictionary<string, HappinessPart>(StringComparer.Ordinal);
        long positive = 0, total = 0;
        foreach (var (channel, c) in counts)
        {
            byChannel[channel] = Part(c.Positive, c.Total);
            positive += c.Positive;
            total += c.Total;
        }

        return new HappinessResult(Part(positive, total), byChannel);
    }

    private static HappinessPart Part(long positive, long total) =>
        new(positive, total, total == 0 ? null : (double)positive / total);
}
