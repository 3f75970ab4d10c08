using System.Globalization;
using System.Text.Json;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;

namespace Otklik.Web.Features.Ingestion;

/// <summary>One event as a device sent it, after validation.</summary>
public sealed record DeviceEvent(Guid Id, PressType Type, DateTimeOffset At);

/// <summary>What is wrong with one event of a request: its index in the batch (0 for a single event) and why.</summary>
public sealed record EventError(int Index, string Field, string Message);

/// <summary>A visitor counter's count for one interval: <c>{"id","type":"visitors","in","out","from","to"}</c>.</summary>
public sealed record VisitorEvent(Guid Id, int In, int Out, DateTimeOffset From, DateTimeOffset To);

/// <summary>A seller's activity button: <c>{"id","type":"sales-attempt","at"}</c>.</summary>
public sealed record AttemptEvent(Guid Id, DateTimeOffset At);

public sealed record ParsedEvents(IReadOnlyList<DeviceEvent> Events, IReadOnlyList<EventError> Errors)
{
    public IReadOnlyList<VisitorEvent> Visits { get; init; } = [];
    public IReadOnlyList<AttemptEvent> Attempts { get; init; } = [];
    public int Count => Events.Count + Visits.Count + Attempts.Count;
    public bool IsValid => Errors.Count == 0 && Count > 0;
}

/// <summary>
/// Reads the device protocol's JSON: one event <c>{"id","type","at"}</c> or a batch <c>{"events":[…]}</c>.
/// Every bad event is reported; a request with any bad event is refused whole, so nothing of it is stored.
/// </summary>
public static class DeviceEventParser
{
    public const int MaxBatch = 1000;
    public static readonly TimeSpan MaxFuture = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxPast = TimeSpan.FromDays(90);
    /// <summary>A visitor counter's interval may be at most this long.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(24);
    public const int MaxVisitors = 1_000_000;
    private static readonly long MaxClockOffsetMs = (long)TimeSpan.FromDays(366).TotalMilliseconds;

    /// <summary>Which event types a device kind may send: buttons presses, counters visitors, seller buttons presses and sales attempts.</summary>
    public static bool Sends(DeviceKind kind, string type) => kind switch
    {
        DeviceKind.ButtonSmart or DeviceKind.ButtonStart => type is "green" or "red",
        DeviceKind.SellerButton => type is "green" or "red" or "sales-attempt",
        DeviceKind.VisitorCounter => type == "visitors",
        _ => false,
    };

    /// <summary>Parses and also refuses events the device's kind does not send (a counter sending presses, say).</summary>
    public static ParsedEvents Parse(ReadOnlySpan<byte> json, DateTimeOffset now, DeviceKind kind)
    {
        var parsed = Parse(json, now);
        if (parsed.Errors.Count > 0 && parsed.Errors[0].Index < 0) return parsed;
        var wrong = new List<EventError>();
        var index = 0;
        foreach (var type in TypesOf(json))
        {
            if (type is not null && !Sends(kind, type) && (type is "green" or "red" or "visitors" or "sales-attempt"))
                wrong.Add(new(index, "type", $"A device of kind {kind} does not send \"{type}\" events."));
            index++;
        }
        return wrong.Count == 0 ? parsed : new ParsedEvents([], [.. parsed.Errors, .. wrong]);
    }

    private static List<string?> TypesOf(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        var root = doc.RootElement;
        IEnumerable<JsonElement> items = root.TryGetProperty("events", out var batch) ? batch.EnumerateArray() : [root];
        return [.. items.Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null)];
    }

    public static ParsedEvents Parse(ReadOnlySpan<byte> json, DateTimeOffset now)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return Fail(-1, "body", $"The body is not valid JSON ({e.Message.Split('.')[0]}).");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail(-1, "body", "The body must be a JSON object: one event or {\"events\":[…]}.");
            if (!root.TryGetProperty("events", out var batch)) return Collect([root], now);
            if (batch.ValueKind != JsonValueKind.Array) return Fail(-1, "events", "\"events\" must be an array.");
            var count = batch.GetArrayLength();
            if (count == 0) return Fail(-1, "events", "The batch is empty.");
            if (count > MaxBatch) return Fail(-1, "events", $"A batch may hold at most {MaxBatch} events, not {count}.");
            return Collect([.. batch.EnumerateArray()], now);
        }
    }

    private static ParsedEvents Collect(IReadOnlyList<JsonElement> items, DateTimeOffset now)
    {
        var events = new List<DeviceEvent>(items.Count);
        var visits = new List<VisitorEvent>();
        var attempts = new List<AttemptEvent>();
        var errors = new List<EventError>();
        for (var i = 0; i < items.Count; i++)
        {
            var before = errors.Count;
            var e = items[i];
            if (e.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(i, "event", "Each event must be a JSON object."));
                continue;
            }
            var id = ReadId(e, i, errors);
            var kind = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (kind == "visitors")
            {
                var visit = ReadVisit(e, id, i, errors, now);
                if (errors.Count == before) visits.Add(visit);
                continue;
            }
            if (kind == "sales-attempt")
            {
                var when = ReadAt(e, i, errors, now);
                if (errors.Count == before) attempts.Add(new AttemptEvent(id, when));
                continue;
            }
            var type = ReadType(e, i, errors);
            var at = ReadAt(e, i, errors, now);
            if (errors.Count == before) events.Add(new DeviceEvent(id, type, at));
        }
        return new ParsedEvents(events, errors) { Visits = visits, Attempts = attempts };
    }

    private static Guid ReadId(JsonElement e, int i, List<EventError> errors)
    {
        if (e.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String && Guid.TryParse(v.GetString(), out var id) && id != Guid.Empty)
            return id;
        errors.Add(new(i, "id", "\"id\" must be a UUID made by the device for this event."));
        return Guid.Empty;
    }

    private static PressType ReadType(JsonElement e, int i, List<EventError> errors)
    {
        if (e.TryGetProperty("type", out var v) && v.ValueKind == JsonValueKind.String)
        {
            switch (v.GetString())
            {
                case "green": return PressType.Green;
                case "red": return PressType.Red;
            }
        }
        errors.Add(new(i, "type", "\"type\" must be \"green\" or \"red\" (buttons), \"visitors\" (counters) or \"sales-attempt\" (seller buttons)."));
        return default;
    }

    private static DateTimeOffset ReadAt(JsonElement e, int i, List<EventError> errors, DateTimeOffset now)
    {
        if (!e.TryGetProperty("at", out var v) || v.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParseExact(v.GetString(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            || !HasOffset(v.GetString()!))
        {
            errors.Add(new(i, "at", "\"at\" must be an ISO-8601 time with an offset, e.g. 2026-11-27T14:05:09+03:00."));
            return default;
        }
        if (e.TryGetProperty("clockOffsetMs", out var offset))
        {
            if (offset.ValueKind != JsonValueKind.Number || !offset.TryGetInt64(out var ms) || Math.Abs(ms) > MaxClockOffsetMs)
            {
                errors.Add(new(i, "clockOffsetMs", "\"clockOffsetMs\" must be a whole number of milliseconds within a year."));
                return default;
            }
            at = at.AddMilliseconds(ms);
        }
        if (at > now + MaxFuture) errors.Add(new(i, "at", "\"at\" is in the future; check the device's clock."));
        else if (at < now - MaxPast) errors.Add(new(i, "at", $"\"at\" is more than {MaxPast.TotalDays:0} days old."));
        return at;
    }

    private static VisitorEvent ReadVisit(JsonElement e, Guid id, int i, List<EventError> errors, DateTimeOffset now)
    {
        var inCount = ReadCount(e, "in", i, errors);
        var outCount = ReadCount(e, "out", i, errors);
        var from = ReadTime(e, "from", i, errors);
        var to = ReadTime(e, "to", i, errors);
        if (from is { } f && to is { } t)
        {
            if (t <= f) errors.Add(new(i, "to", "\"to\" must be after \"from\"."));
            else if (t - f > MaxInterval) errors.Add(new(i, "to", $"An interval may be at most {MaxInterval.TotalHours:0} hours long; send shorter ones."));
            else if (t > now + MaxFuture) errors.Add(new(i, "to", "\"to\" is in the future; check the device's clock."));
            else if (f < now - MaxPast) errors.Add(new(i, "from", $"\"from\" is more than {MaxPast.TotalDays:0} days old."));
        }
        return new VisitorEvent(id, inCount, outCount, from ?? default, to ?? default);
    }

    private static int ReadCount(JsonElement e, string name, int i, List<EventError> errors)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n is >= 0 and <= MaxVisitors)
            return n;
        errors.Add(new(i, name, $"\"{name}\" must be a whole number from 0 to {MaxVisitors}."));
        return 0;
    }

    private static DateTimeOffset? ReadTime(JsonElement e, string name, int i, List<EventError> errors)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParseExact(v.GetString(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && HasOffset(v.GetString()!))
            return at;
        errors.Add(new(i, name, $"\"{name}\" must be an ISO-8601 time with an offset, e.g. 2026-11-27T14:00:00+03:00."));
        return null;
    }

    private static bool HasOffset(string s) => s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':');

    private static ParsedEvents Fail(int index, string field, string message) => new([], [new EventError(index, field, message)]);
}
