using Otklik.Core.Metrics;

namespace Otklik.Core.Tests.Metrics;

public class HappinessIndexTests
{
    [Fact]
    public void Happiness_AcrossChannels_IsPositiveOverAllWithSentiment()
    {
        SentimentSignal[] signals =
        [
            new("button", Sentiment.Positive),
            new("button", Sentiment.Positive),
            new("button", Sentiment.Negative),
            new("qr", Sentiment.Neutral),
            new("qr", Sentiment.Positive),
            new("qr", null),
        ];

        var result = HappinessIndex.Compute(signals);

        Assert.Equal(new HappinessPart(3, 5, 0.6), result.Overall);
        Assert.Equal(new HappinessPart(2, 3, 2.0 / 3), result.ByChannel["button"]);
        Assert.Equal(new HappinessPart(1, 2, 0.5), result.ByChannel["qr"]);
    }

    [Fact]
    public void Happiness_OverallIsPooledNotAverageOfChannels()
    {
        var result = HappinessIndex.FromCounts([("button", 90, 100), ("qr", 0, 10)]);

        Assert.Equal(90.0 / 110, result.Overall.Index!.Value, 12);
    }

    [Fact]
    public void Happiness_OnlySignalsWithoutSentiment_IsNoData()
    {
        var result = HappinessIndex.Compute([new("voice", null)]);

        Assert.Null(result.Overall.Index);
        Assert.Empty(result.ByChannel);
    }

    [Fact]
    public void Happiness_FromCounts_PositiveAboveTotal_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HappinessIndex.FromCounts([("qr", 3, 2)]));
    }
}
