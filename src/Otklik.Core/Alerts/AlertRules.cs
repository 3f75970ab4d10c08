using Otklik.Core.Metrics;

namespace Otklik.Core.Alerts;

/// <summary>One opening interval of a weekday in local time; <see cref="Close"/> at or before <see cref="Open"/> means it ends the next day.</summary>
/// <param name="Day">The weekday the interval starts on.</param>
/// <param name="Open">Local opening time.</param>
/// <param name="Close">Local closing time.</param>
public sealed record OpeningInterval(DayOfWeek Day, TimeOnly Open, TimeOnly Close);

/// <summary>The pure decisions behind alerts: given counts and times, raise or not.</summary>
public static class AlertRules
{
    /// <summary>
    /// True when the red share (red / (green + red), by <see cref="ButtonPresses.Compute"/>) reaches
    /// <paramref name="thresholdPercent"/> and there are at least <paramref name="minPresses"/> presses.
    /// </summary>
    /// <param name="green">Counted green presses in the window.</param>
    /// <param name="red">Counted red presses in the window.</param>
    /// <param name="thresholdPercent">0..100; the share must be at least this.</param>
    /// <param name="minPresses">Fewer presses than this never fire.</param>
    public static bool RedShareReached(long green, long red, int thresholdPercent, int minPresses)
    {
        var result = ButtonPresses.Compute(green, red);
        if (result.GreenShare is not { } greenShare || green + red < Math.Max(1, minPresses)) return false;
        // Compare in hundredths with a tolerance, so 2 of 4 is exactly 50 %.
        return (1 - greenShare) * 100 >= thresholdPercent - 1e-9;
    }

    /// <summary>True when a battery report is below the threshold; no report never fires.</summary>
    /// <param name="batteryPercent">The last reported charge, if any.</param>
    /// <param name="thresholdPercent">Below this the battery is low.</param>
    public static bool BatteryLow(int? batteryPercent, int thresholdPercent) => batteryPercent is { } p && p < thresholdPercent;

    /// <summary>
    /// True when, at <paramref name="now"/> (local time), the location is open and the device has sent nothing for
    /// at least <paramref name="silence"/> of the current opening interval. Time when the location was closed
    /// does not count. A location without opening hours is never judged: nobody said when it should be busy.
    /// </summary>
    /// <param name="lastSeen">Local time of the device's last message (or of its creation, if it never sent anything).</param>
    /// <param name="now">Local time now.</param>
    /// <param name="hours">The location's opening intervals.</param>
    /// <param name="silence">How long without a message counts as silent.</param>
    public static bool DeviceSilent(DateTime lastSeen, DateTime now, IReadOnlyList<OpeningInterval> hours, TimeSpan silence)
    {
        if (CurrentOpening(now, hours) is not { } opened) return false;
        var from = lastSeen > opened ? lastSeen : opened;
        return now - from >= silence;
    }

    /// <summary>The start of the opening interval that contains <paramref name="now"/>, or null when closed.</summary>
    /// <param name="now">Local time.</param>
    /// <param name="hours">The location's opening intervals.</param>
    public static DateTime? CurrentOpening(DateTime now, IReadOnlyList<OpeningInterval> hours)
    {
        DateTime? best = null;
        foreach (var day in new[] { now.Date, now.Date.AddDays(-1) })
        {
            foreach (var h in hours)
            {
                if (h.Day != day.DayOfWeek) continue;
                var start = day + h.Open.ToTimeSpan();
                var end = h.Close > h.Open ? day + h.Close.ToTimeSpan() : day.AddDays(1) + h.Close.ToTimeSpan();
                if (start <= now && now < end && (best is null || start < best)) best = start;
            }
        }
        return best;
    }

    /// <summary>Exponential back-off for delivery retries: 10 s, 20 s, 40 s … capped at 10 minutes.</summary>
    /// <param name="attempt">1 for the first retry.</param>
    public static TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(600, 10 * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16))));
}
