using Otklik.Core.Cases;

namespace Otklik.Core.Tests.Cases;

public class ResponseTemplatesTests
{
    [Fact]
    public void Steps_FollowTheAlgorithms()
    {
        Assert.Equal([ResponseStep.Thank, ResponseStep.Answer, ResponseStep.CallToAction], ResponseAlgorithm.Steps(ResponseKind.Question));
        Assert.Equal(
            [ResponseStep.Thank, ResponseStep.NotHowItShouldBe, ResponseStep.WhyItHappened, ResponseStep.Apologise, ResponseStep.HowWeFix, ResponseStep.HowItWillBe, ResponseStep.Compliment],
            ResponseAlgorithm.Steps(ResponseKind.Complaint));
        Assert.Equal([ResponseStep.Thank, ResponseStep.WishWell, ResponseStep.Gift], ResponseAlgorithm.Steps(ResponseKind.Praise));
    }

    [Fact]
    public void Render_FillsEveryPlaceholder_CaseInsensitive_AndKeepsUnknownBraces()
    {
        var text = ResponseAlgorithm.Render("Dear {customerName}, {LOCATION} is sorry about {reason}. {unknown} {", "Olga", "Main St", "slow service", "Customer");

        Assert.Equal("Dear Olga, Main St is sorry about slow service. {unknown} {", text);
    }

    [Fact]
    public void Render_WithoutName_UsesTheFallback()
    {
        Assert.Equal("Dear Customer", ResponseAlgorithm.Render("Dear {customerName}", "  ", null, null, "Customer"));
    }

    [Fact]
    public void UnknownPlaceholders_ListsTypos()
    {
        Assert.Equal(["{name}"], ResponseAlgorithm.UnknownPlaceholders("Hi {name}, {customerName} at {location}: {reason}"));
    }

    [Theory]
    [InlineData("ru")]
    [InlineData("en")]
    public void Defaults_ShipEveryKindInBothLanguages_WithOnlyKnownPlaceholders(string language)
    {
        foreach (var kind in Enum.GetValues<ResponseKind>())
        {
            var t = DefaultResponseTemplates.For(kind, language);
            Assert.Equal((kind, language), (t.Kind, t.Language));
            Assert.Empty(ResponseAlgorithm.UnknownPlaceholders(t.Subject + t.Body));
            Assert.Contains("{customerName}", t.Body, StringComparison.Ordinal);
            // One paragraph per step of the algorithm.
            Assert.Equal(ResponseAlgorithm.Steps(kind).Count, t.Body.Split("\n\n").Length);
        }
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(CaseQualification.NotWorthAttention, false)]
    [InlineData(CaseQualification.NeedsReaction, false)]
    [InlineData(CaseQualification.ConsumerTerrorism, true)]
    public void OnlyConsumerTerrorism_IsExcludedFromStaffMetrics(CaseQualification? q, bool excluded)
    {
        Assert.Equal(excluded, CaseQualifications.ExcludedFromStaffMetrics(q));
    }
}
