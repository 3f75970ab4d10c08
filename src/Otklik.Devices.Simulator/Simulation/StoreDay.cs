using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Simulation;

/// <summary>
/// A store's day: which local date, opening hours, and how busy. Fixed per-hour numbers make the day exactly
/// predictable (tests, demos with hand-computed figures); otherwise a lunchtime-and-evening profile is drawn from <see cref="Seed"/>.
/// </summary>
public sealed record StoreDayOptions
{
    /// <summary>The local date played.</summary>
    public DateOnly Date { get; init; } = DateOnly.FromDateTime(DateTime.Now).AddDays(-1);

    /// <summary>The store's time zone: opening hours are local times there.</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Local;

    /// <summary>First open hour (local), e.g. 10 for 10:00.</summary>
    public int OpenHour { get; init; } = 10;

    /// <summary>Closing hour (local, exclusive), e.g. 21 for 21:00.</summary>
    public int CloseHour { get; init; } = 21;

    /// <summary>Visitors of the whole day when drawn at random (ignored with <see cref="VisitorsPerHour"/>).</summary>
    public int Visitors { get; init; } = 400;

    /// <summary>Visitors coming in each open hour over all counters (its length: one per open hour); null: drawn at random.</summary>
    public IReadOnlyList<int>? VisitorsPerHour { get; init; }

    /// <summary>Sales attempts of each seller in each open hour; null: about <see cref="AttemptShare"/> of the hour's visitors, shared by the sellers.</summary>
    public IReadOnlyList<int>? AttemptsPerHour { get; init; }

    /// <summary>Green and red presses of each loyalty button in each open hour; null: drawn from <see cref="PressShare"/> and <see cref="RedShare"/>.</summary>
    public IReadOnlyList<(int Green, int Red)>? PressesPerHour { get; init; }

    public double AttemptShare { get; init; } = 0.5;

    public double PressShare { get; init; } = 0.2;

    public double RedShare { get; init; } = 0.15;

    public int? Seed { get; init; }

    /// <summary>Pause after each played hour (a live demo); zero: as fast as the server acknowledges.</summary>
    public TimeSpan HourDelay { get; init; }

    /// <summary>Clock for "not in the future": hours that have not ended yet are not played.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Action<string>? Log { get; init; }

    public int Hours => CloseHour - OpenHour;

    public void Validate()
    {
        if (OpenHour is < 0 or > 23 || CloseHour is < 1 or > 24 || CloseHour <= OpenHour)
            throw new ArgumentException("Opening hours: 0 <= open < close <= 24.");
        if (VisitorsPerHour is { } v && (v.Count != Hours || v.Any(x => x < 0)))
            throw new ArgumentException($"Give {Hours} visitor counts (one per open hour), none negative.");
        if (AttemptsPerHour is { } a && (a.Count != Hours || a.Any(x => x is < 0 or > 600)))
            throw new ArgumentException($"Give {Hours} attempt counts (one per open hour), from 0 to 600.");
        if (PressesPerHour is { } p && (p.Count != Hours || p.Any(x => x.Green < 0 || x.Red < 0 || x.Green + x.Red > 600)))
            throw new ArgumentException($"Give {Hours} press counts (one per open hour), at most 600 an hour.");
        if (Visitors < 0 || AttemptShare is < 0 or > 10 || PressShare is < 0 or > 10 || RedShare is < 0 or > 1)
            throw new ArgumentException("Visitors, shares: not negative; red share at most 1.");
    }
}

/// <summary>The devices of the store: visitor counters, sellers' activity buttons, loyalty (red/green) buttons; any list may be empty.</summary>
public sealed record StoreDevices(IReadOnlyList<IDeviceClient> Counters, IReadOnlyList<IDeviceClient> Sellers, IReadOnlyList<IDeviceClient> Buttons);

/// <summary>What one hour of the day sent (and the server acknowledged).</summary>
public sealed record StoreHour(
    [property: JsonPropertyName("hour")] int Hour,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("visitorsIn")] int VisitorsIn,
    [property: JsonPropertyName("visitorsOut")] int VisitorsOut,
    [property: JsonPropertyName("salesAttempts")] IReadOnlyDictionary<string, int> SalesAttempts,
    [property: JsonPropertyName("green")] IReadOnlyDictionary<string, int> Green,
    [property: JsonPropertyName("red")] IReadOnlyDictionary<string, int> Red);

/// <summary>The played day: per hour and in total, by device id; events the server did not acknowledge are counted as failed.</summary>
public sealed record StoreDaySummary(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("timeZone")] string TimeZone,
    [property: JsonPropertyName("hours")] IReadOnlyList<StoreHour> Hours,
    [property: JsonPropertyName("acknowledged")] long Acknowledged,
    [property: JsonPropertyName("failed")] long Failed,
    [property: JsonPropertyName("skippedHours")] int SkippedHours)
{
    [JsonPropertyName("visitorsIn")] public int VisitorsIn => Hours.Sum(h => h.VisitorsIn);

    [JsonPropertyName("salesAttempts")] public int SalesAttempts => Hours.Sum(h => h.SalesAttempts.Values.Sum());

    [JsonPropertyName("greenPresses")] public int Green => Hours.Sum(h => h.Green.Values.Sum());

    [JsonPropertyName("redPresses")] public int Red => Hours.Sum(h => h.Red.Values.Sum());

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { string.Create(inv, $"store day {Date:yyyy-MM-dd} ({TimeZone})"), "hour   visitors  attempts  green  red" };
        lines.AddRange(Hours.Select(h => string.Create(inv,
            $"{h.Hour:00}:00  {h.VisitorsIn,8}  {h.SalesAttempts.Values.Sum(),8}  {h.Green.Values.Sum(),5}  {h.Red.Values.Sum(),3}")));
        lines.Add(string.Create(inv, $"total  {VisitorsIn,8}  {SalesAttempts,8}  {Green,5}  {Red,3}"));
        var skipped = SkippedHours > 0 ? string.Create(inv, $", {SkippedHours} hour(s) not over yet were skipped") : "";
        lines.Add(string.Create(inv, $"acknowledged {Acknowledged} events, failed {Failed}{skipped}"));
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}

/// <summary>
/// The <c>store-day</c> scenario: for each open hour, each visitor counter reports its hourly count
/// (<c>{"type":"visitors","in","out","from","to"}</c>), each seller's activity button its sales attempts
/// (<c>{"type":"sales-attempt","at"}</c>) and each loyalty button its presses, over the same protocol as the buttons.
/// Events are spread over the hour, a press at least a minute from the next on the same button (never suppressed).
/// </summary>
public sealed class StoreDay(StoreDayOptions options, StoreDevices devices)
{
    /// <summary>Relative busyness of each local hour: a lunchtime and an evening peak.</summary>
    private static double Weight(int hour) => 1 + 1.5 * Math.Exp(-Math.Pow(hour - 13, 2) / 3) + 2 * Math.Exp(-Math.Pow(hour - 18.5, 2) / 3);

    /// <summary>The day's plan: visitors per hour, attempts per seller and hour, presses per button and hour.</summary>
    public (int[] Visitors, int[][] Attempts, (int Green, int Red)[][] Presses) Plan()
    {
        options.Validate();
        var random = options.Seed is { } seed ? new Random(seed) : new Random();
        var hours = options.Hours;
        var weights = Enumerable.Range(options.OpenHour, hours).Select(Weight).ToArray();
        var visitors = options.VisitorsPerHour?.ToArray()
            ?? [.. weights.Select(w => (int)Math.Round(options.Visitors * w / weights.Sum() * (0.85 + 0.3 * random.NextDouble())))];
        var attempts = devices.Sellers.Select(_ => options.AttemptsPerHour?.ToArray()
            ?? [.. visitors.Select(v => Math.Min(600, (int)Math.Round(v * options.AttemptShare / devices.Sellers.Count * (0.7 + 0.6 * random.NextDouble()))))]).ToArray();
        var presses = devices.Buttons.Select(_ => options.PressesPerHour?.ToArray() ?? [.. visitors.Select(v =>
        {
            var n = Math.Min(60, (int)Math.Round(v * options.PressShare / devices.Buttons.Count));
            var red = Enumerable.Range(0, n).Count(_ => random.NextDouble() < options.RedShare);
            return (n - red, red);
        })]).ToArray();
        return (visitors, attempts, presses);
    }

    public async Task<StoreDaySummary> RunAsync(CancellationToken ct = default)
    {
        var (visitors, attempts, presses) = Plan();
        var random = options.Seed is { } seed ? new Random(seed + 1) : new Random();
        long acked = 0, failed = 0;
        var skipped = 0;
        var played = new List<StoreHour>();
        var now = options.Time.GetUtcNow();
        for (var i = 0; i < options.Hours; i++)
        {
            ct.ThrowIfCancellationRequested();
            var hour = options.OpenHour + i;
            var from = At(hour, 0);
            var to = At(hour + 1, 0);
            if (to > now)
            {
                skipped++;
                continue;
            }

            async Task<bool> SendAsync(IDeviceClient client, IReadOnlyList<StoreEvent>? store, IReadOnlyList<ButtonEvent>? buttons)
            {
                var count = store?.Count ?? buttons!.Count;
                if (count == 0) return true;
                var result = store is not null ? await client.SendAsync(store, ct) : await client.SendAsync(buttons!, ct);
                if (result.IsAcknowledged) acked += count;
                else
                {
                    failed += count;
                    options.Log?.Invoke($"{client.Device.Id}: {result.Outcome} {result.ErrorKind} {result.Detail}".TrimEnd());
                }
                return result.IsAcknowledged;
            }

            // Visitors split over the counters (the first takes the remainder); out roughly follows in.
            var inTotal = 0;
            var outTotal = 0;
            for (var c = 0; c < devices.Counters.Count; c++)
            {
                var share = visitors[i] / devices.Counters.Count + (c == 0 ? visitors[i] % devices.Counters.Count : 0);
                var leaving = Math.Max(0, share + random.Next(-2, 3));
                if (await SendAsync(devices.Counters[c], [StoreEvent.Visitors(share, leaving, from, to)], null))
                {
                    inTotal += share;
                    outTotal += leaving;
                }
            }
            var attemptsBy = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var s = 0; s < devices.Sellers.Count; s++)
            {
                var n = attempts[s][i];
                var events = Enumerable.Range(0, n).Select(k => StoreEvent.SalesAttempt(from + Spread(k, n))).ToList();
                attemptsBy[devices.Sellers[s].Device.Id] = await SendAsync(devices.Sellers[s], events, null) ? n : 0;
            }
            var greenBy = new Dictionary<string, int>(StringComparer.Ordinal);
            var redBy = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var b = 0; b < devices.Buttons.Count; b++)
            {
                var (green, red) = presses[b][i];
                var colours = Enumerable.Repeat(ButtonColor.Green, green).Concat(Enumerable.Repeat(ButtonColor.Red, red)).OrderBy(_ => random.Next()).ToList();
                var events = colours.Select((colour, k) => ButtonEvent.New(colour, from + Spread(k, colours.Count))).ToList();
                var ok = await SendAsync(devices.Buttons[b], null, events);
                greenBy[devices.Buttons[b].Device.Id] = ok ? green : 0;
                redBy[devices.Buttons[b].Device.Id] = ok ? red : 0;
            }
            played.Add(new StoreHour(hour, from, inTotal, outTotal, attemptsBy, greenBy, redBy));
            options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{hour:00}:00 visitors {inTotal}, attempts {attemptsBy.Values.Sum()}, presses {greenBy.Values.Sum()} green {redBy.Values.Sum()} red"));
            if (options.HourDelay > TimeSpan.Zero) await Task.Delay(options.HourDelay, ct);
        }
        return new StoreDaySummary(options.Date, options.Zone.Id, played, acked, failed, skipped);
    }

    /// <summary>The k-th of n events in an hour: evenly spaced, in the middle of its slot (at least a minute apart up to 60 an hour).</summary>
    private static TimeSpan Spread(int k, int n) => TimeSpan.FromSeconds(Math.Floor(3600.0 * (k + 0.5) / n));

    private DateTimeOffset At(int hour, int minute)
    {
        var local = options.Date.ToDateTime(TimeOnly.MinValue).AddHours(hour).AddMinutes(minute);
        return new DateTimeOffset(local, options.Zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
