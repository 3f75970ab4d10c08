using System.Globalization;
using System.Text.Json;
using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Ingestion;

/// <summary>One event as a device sent it, after validation.</summary>
public sealed record DeviceEvent(Guid Id, PressType Type, DateTimeOffset At);

/// <summary>What is wrong with one event of a request: its index in the batch (0 for a single event) and why.</summary>
public sealed record EventError(int Index, string Field, string Message);

public sealed record ParsedEvents(IReadOnlyList<DeviceEvent> Events, IReadOnlyList<EventError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Events.Count > 0;
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
    private static readonly long MaxClockOffsetMs = (long)TimeSpan.FromDays(366).TotalMilliseconds;

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
            var type = ReadType(e, i, errors);
            var at = ReadAt(e, i, errors, now);
            if (errors.Count == before) events.Add(new DeviceEvent(id, type, at));
        }
        return new ParsedEvents(events, errors);
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
        errors.Add(new(i, "type", "\"type\" must be \"green\" or \"red\"."));
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

    private static bool HasOffset(string s) => s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':');

    private static ParsedEvents Fail(int index, string field, string message) => new([], [new EventError(index, field, message)]);
}
