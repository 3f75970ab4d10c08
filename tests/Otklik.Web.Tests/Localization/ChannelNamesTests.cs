using System.Globalization;
using System.Resources;
using Otklik.Core.Rollups;
using Otklik.Web.Components.Pages.Cases;
using Otklik.Web.Components.Pages.Overview;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Localization;

namespace Otklik.Web.Tests.Localization;

/// <summary>Every feedback channel has its own name, in English and Russian, the same in the inbox, the cases and the charts.</summary>
public sealed class ChannelNamesTests
{
    [Fact]
    public void EveryChannel_HasItsOwnTranslatedName_AndTheChartsUseTheSameOne()
    {
        var resources = new ResourceManager(typeof(Ui).FullName!, typeof(Ui).Assembly);
        var channels = Enum.GetValues<FeedbackChannel>();
        var keys = channels.Select(CaseTexts.ChannelKey).ToList();

        Assert.Equal(channels.Length, keys.Distinct(StringComparer.Ordinal).Count());
        foreach (var channel in channels)
        {
            var key = CaseTexts.ChannelKey(channel);
            Assert.Equal(channel == FeedbackChannel.Other, key == "Other");
            Assert.Equal(key, OverviewCharts.ChannelName(channel.ToString()));
            Assert.False(string.IsNullOrWhiteSpace(resources.GetString(key, CultureInfo.GetCultureInfo("ru"))), $"No Russian name for {key}");
        }
        Assert.Equal("Buttons", OverviewCharts.ChannelName(RollupMetrics.ButtonsChannel));
        Assert.Equal("Other", OverviewCharts.ChannelName("SomethingNew"));
    }
}
