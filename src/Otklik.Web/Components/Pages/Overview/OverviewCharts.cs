using System.Globalization;
using MudBlazor;
using Otklik.Core.Rollups;
using Otklik.Web.Components.Pages.Cases;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Metrics;

namespace Otklik.Web.Components.Pages.Overview;

public static class OverviewCharts
{
    private static readonly string[] Palette = ["#2E7D5B", "#F29F05", "#1E88E5"];

    public static LineChartOptions Line() => new()
    {
        ShowLegend = true, YAxisSuggestedMax = 100, YAxisTicks = 25, YAxisRequireZeroPoint = true, ShowDataMarkers = false, LineStrokeWidth = 2,
        YAxisToStringFunc = v => v.ToString("0", CultureInfo.CurrentCulture) + "%", ChartPalette = Palette,
    };

    public static BarChartOptions Bar() => new()
    {
        ShowLegend = false, YAxisSuggestedMax = 100, YAxisTicks = 25, YAxisToStringFunc = v => v.ToString("0", CultureInfo.CurrentCulture) + "%", ChartPalette = Palette,
    };

    private static double? Pct(double? v) => v is { } x ? Math.Round(100 * x, 1) : null;

    /// <summary>Green share and happiness per day; at most eight short labels so a phone can read them.</summary>
    public static (string[] Labels, List<ChartSeries<double>> Series) Daily(IReadOnlyList<MetricsRow> days, string green, string happiness)
    {
        var step = Math.Max(1, (int)Math.Ceiling(days.Count / 8.0));
        string[] labels = [.. days.Select((r, i) => i % step == 0 ? OverviewData.Day(r.Key) : "")];
        return (labels,
        [
            new ChartSeries<double> { Name = green, Data = days.Select(r => Pct(r.GreenShare)).ToArray(), TooltipYValueFormat = "0.0" },
            new ChartSeries<double> { Name = happiness, Data = days.Select(r => Pct(r.HappinessIndex)).ToArray(), TooltipYValueFormat = "0.0" },
        ]);
    }

    /// <summary>The English text of a channel key (the localization key).</summary>
    public static string ChannelName(string key) =>
        key == RollupMetrics.ButtonsChannel ? "Buttons"
        : Enum.TryParse<FeedbackChannel>(key, out var channel) ? CaseTexts.ChannelKey(channel)
        : "Other";
}
