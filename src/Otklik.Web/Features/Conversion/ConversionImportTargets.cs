using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Conversion;

/// <summary>Parsers and checks the two conversion imports share.</summary>
internal static class ConversionImport
{
    /// <summary>A whole number from 0 to <paramref name="max"/>.</summary>
    public static Func<string, IStringLocalizer<Ui>, FieldParse> Whole(int max) => (s, L) =>
        Parsers.Number(s, L) is { Value: decimal d } && d == decimal.Truncate(d) && d >= 0 && d <= max
            ? FieldParse.Ok((int)d) : FieldParse.Fail(L["Not a whole number from 0 to {0}: \"{1}\".", max, Parsers.Short(s)]);

    /// <summary>An amount of money: not negative, at most two decimal places.</summary>
    public static FieldParse Money(string s, IStringLocalizer<Ui> L) =>
        Parsers.Number(s, L) is { Value: decimal d } && d >= 0 && d <= 1_000_000_000_000m && decimal.Round(d, 2) == d
            ? FieldParse.Ok(d) : FieldParse.Fail(L["Not an amount of money (from 0, at most two decimal places): \"{0}\".", Parsers.Short(s)]);

    /// <summary>An interval [from, to): after its start, at most a day long (as the API and the device protocol take it).</summary>
    public static void CheckInterval(DateTimeOffset from, DateTimeOffset to, IStringLocalizer<Ui> L, List<string> errors)
    {
        if (to <= from) errors.Add(L["to: must be after from."]);
        else if (to - from > SalesApi.MaxInterval) errors.Add(L["to: an interval may be at most {0} hours long.", (int)SalesApi.MaxInterval.TotalHours]);
    }

    public static readonly string[] LocationAliases = ["точка", "location", "магазин", "филиал", "локация", "store", "shop", "branch", "подразделение"];
}

/// <summary>
/// Visitor counts exported by counters that only write files: location, interval, visitors in and out. The same
/// meaning as the counter device's <c>{"type":"visitors"}</c> event. Stored once per (location, counter, interval):
/// importing the same file again adds nothing. A file with any bad row is refused whole.
/// </summary>
public sealed class VisitorCountImportTarget : IImportTarget
{
    public const string KindName = "visitors";
    public const int MaxCount = 1_000_000;
    private const int MaxCounterName = 60;

    public string Kind => KindName;
    public string Title => "Visitor counts";
    public bool AllOrNothing => true;

    public IReadOnlyList<ImportField> Fields { get; } =
    [
        new("location", "Location", true, ImportFieldType.Lookup, ConversionImport.LocationAliases, Parsers.Text(Limits.Name), "the location's name or slug"),
        new("from", "Interval start", true, ImportFieldType.Date, ["from", "с", "начало", "начало интервала", "start", "period start", "дата", "date", "время", "time"], Parsers.Date,
            "without an offset it is the location's local time"),
        new("to", "Interval end", true, ImportFieldType.Date, ["to", "по", "конец", "конец интервала", "end", "period end"], Parsers.Date,
            "after the start, at most 24 hours later"),
        new("in", "Visitors in", true, ImportFieldType.Number, ["in", "вход", "вошли", "вошло", "входы", "посетители", "visitors", "visitors in", "entries", "enter"],
            ConversionImport.Whole(MaxCount), "the count conversion divides by"),
        new("out", "Visitors out", false, ImportFieldType.Number, ["out", "выход", "вышли", "вышло", "выходы", "visitors out", "exits", "exit"], ConversionImport.Whole(MaxCount)),
        new("counter", "Counter", false, ImportFieldType.Text, ["counter", "счётчик", "счетчик", "датчик", "вход №", "entrance", "sensor", "door", "дверь"],
            Parsers.Text(MaxCounterName), "for several counters at one location: the entrance or counter name"),
    ];

    public async Task<IImportSession> BeginAsync(OtklikDb db, ImportContext context, CancellationToken ct) =>
        new Session(await ImportLocations.LoadAsync(db, ct), context);

    public async Task<int> UndoAsync(OtklikDb db, Guid importJobId, CancellationToken ct)
    {
        var stored = await db.VisitorCounts.AsNoTracking().Where(v => v.ImportJobId == importJobId).ToListAsync(ct);
        await RollupStore.SubtractAsync(db, stored.Select(RollupStore.Of), ct);
        return await db.VisitorCounts.Where(v => v.ImportJobId == importJobId).ExecuteDeleteAsync(ct);
    }

    private sealed record Row(Guid LocationId, string Key, DateTimeOffset From, DateTimeOffset To, int In, int Out, bool Repeated);

    private sealed class Session(ImportLocations locations, ImportContext context) : IImportSession, IReportsDuplicates
    {
        private int _duplicates;

        public int TakeDuplicates() => Interlocked.Exchange(ref _duplicates, 0);

        private readonly IStringLocalizer<Ui> L = context.L;
        private readonly HashSet<(Guid, string)> _seen = [];

        public RowCheck Check(IReadOnlyDictionary<string, object?> v)
        {
            var errors = new List<string>();
            var location = locations.Find((string)v["location"]!, L, errors);
            DateTimeOffset from = default, to = default;
            if (location is { } place)
            {
                from = ImportLocations.At(v["from"], place.Zone, context, errors);
                to = ImportLocations.At(v["to"], place.Zone, context, errors);
                ConversionImport.CheckInterval(from, to, L, errors);
            }
            if (errors.Count > 0) return RowCheck.Bad(string.Join("; ", errors));
            var counter = v.TryGetValue("counter", out var c) && c is string name ? name : "";
            var key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{counter}|{from.UtcTicks}|{to.UtcTicks}");
            // The same counter's interval twice in one file counts once, as a re-sent device event does.
            var repeated = !_seen.Add((location!.Value.Id, key));
            return RowCheck.Good(new Row(location.Value.Id, key, from, to, (int)v["in"]!, v.TryGetValue("out", out var o) && o is int outCount ? outCount : 0, repeated));
        }

        public async Task WriteAsync(OtklikDb db, IReadOnlyList<object> rows, Guid importJobId, CancellationToken ct)
        {
            var list = rows.Cast<Row>().Where(r => !r.Repeated).ToList();
            _duplicates = rows.Count - list.Count;
            if (list.Count == 0) return;
            var locationIds = list.Select(r => r.LocationId).Distinct().ToList();
            var keys = list.Select(r => r.Key).Distinct().ToList();
            // Counted before (an earlier import of the same file): not again.
            var stored = (await db.VisitorCounts.AsNoTracking().Where(x => locationIds.Contains(x.LocationId) && x.ExternalId != null && keys.Contains(x.ExternalId))
                .Select(x => new { x.LocationId, x.ExternalId }).ToListAsync(ct)).Select(x => (x.LocationId, x.ExternalId!)).ToHashSet();
            var added = new List<VisitorCount>();
            _duplicates += list.Count(r => stored.Contains((r.LocationId, r.Key)));
            foreach (var r in list.Where(r => !stored.Contains((r.LocationId, r.Key))))
            {
                var count = new VisitorCount
                {
                    OrganizationId = context.OrganizationId, LocationId = r.LocationId, EventId = Guid.CreateVersion7(), ExternalId = r.Key, In = r.In, Out = r.Out,
                    From = r.From, To = r.To, ReceivedAt = context.Now, Channel = IngestChannel.Import, ImportJobId = importJobId,
                };
                db.VisitorCounts.Add(count);
                added.Add(count);
            }
            // The conversion dashboards read the hourly rollups: the batch counts there in its own transaction.
            await RollupStore.AddAsync(db, added.Select(RollupStore.Of), ct);
        }
    }
}

/// <summary>
/// POS sales from a cash register's export: receipts (receipt id, time) or interval totals (interval id, start, end,
/// count), with revenue, items and optionally the employee. The same rules as <c>POST /api/v1/sales</c>: idempotent by
/// (location, receipt or interval id) — importing the same file again, or a receipt already sent through the API, adds
/// nothing — and a file with any bad row is refused whole.
/// </summary>
public sealed class PosSaleImportTarget : IImportTarget
{
    public const string KindName = "sales";

    public string Kind => KindName;
    public string Title => "POS sales";
    public bool AllOrNothing => true;

    public IReadOnlyList<ImportField> Fields { get; } =
    [
        new("location", "Location", true, ImportFieldType.Lookup, ConversionImport.LocationAliases, Parsers.Text(Limits.Name), "the location's name or slug"),
        new("receiptId", "Receipt number", false, ImportFieldType.Text, ["receipt", "receiptid", "receipt id", "чек", "номер чека", "№ чека", "фискальный номер", "check", "check number"],
            Parsers.Text(SalesApi.MaxIdLength), "one receipt per row; give this or the interval id"),
        new("intervalId", "Interval id", false, ImportFieldType.Text, ["interval", "intervalid", "interval id", "интервал", "смена", "z-отчёт", "z-отчет", "shift", "z report"],
            Parsers.Text(SalesApi.MaxIdLength), "a row of totals (e.g. a Z report); give this or the receipt number"),
        new("time", "Time", true, ImportFieldType.Date, ["time", "at", "время", "дата", "date", "дата и время", "datetime", "from", "с", "начало"], Parsers.Date,
            "the receipt's time, or the interval's start; without an offset it is the location's local time"),
        new("to", "Interval end", false, ImportFieldType.Date, ["to", "по", "конец", "end", "окончание"], Parsers.Date, "intervals only"),
        new("count", "Receipts", false, ImportFieldType.Number, ["count", "receipts", "чеков", "количество чеков", "число чеков", "кол-во чеков"],
            ConversionImport.Whole(1_000_000), "intervals only: how many receipts; a receipt row counts 1"),
        new("revenue", "Revenue", true, ImportFieldType.Number, ["revenue", "сумма", "выручка", "сумма чека", "amount", "total", "итого"], ConversionImport.Money,
            "e.g. 1499.90 or 1 499,90"),
        new("items", "Items", false, ImportFieldType.Number, ["items", "товаров", "позиций", "количество товаров", "кол-во товаров", "qty", "quantity", "units"],
            ConversionImport.Whole(100_000_000)),
        new("employee", "Employee", false, ImportFieldType.Lookup, ["employee", "seller", "cashier", "сотрудник", "продавец", "кассир", "код сотрудника", "employee code", "табельный номер"],
            Parsers.Text(Limits.Name), "the employee's code (external id) or name"),
    ];

    public async Task<IImportSession> BeginAsync(OtklikDb db, ImportContext context, CancellationToken ct)
    {
        var locations = await ImportLocations.LoadAsync(db, ct);
        // A seller may have covered a shift at another location: employees of the whole organization, as in the API.
        var staff = await db.StaffMembers.IgnoreQueryFilters().AsNoTracking().Where(s => s.OrganizationId == context.OrganizationId)
            .Select(s => new StaffRef(s.Id, s.Name, s.ExternalId)).ToListAsync(ct);
        return new Session(locations, staff, context);
    }

    public async Task<int> UndoAsync(OtklikDb db, Guid importJobId, CancellationToken ct)
    {
        var stored = await db.PosSales.AsNoTracking().Where(s => s.ImportJobId == importJobId).ToListAsync(ct);
        await RollupStore.SubtractAsync(db, stored.Select(RollupStore.Of), ct);
        return await db.PosSales.Where(s => s.ImportJobId == importJobId).ExecuteDeleteAsync(ct);
    }

    private sealed record StaffRef(Guid Id, string Name, string? Code);

    private sealed record Row(Guid LocationId, string ExternalId, DateTimeOffset From, DateTimeOffset To, int Receipts, long RevenueMinor, int Items, Guid? StaffId, bool Repeated);

    private sealed class Session(ImportLocations locations, List<StaffRef> staff, ImportContext context) : IImportSession, IReportsDuplicates
    {
        private int _duplicates;

        public int TakeDuplicates() => Interlocked.Exchange(ref _duplicates, 0);

        private readonly IStringLocalizer<Ui> L = context.L;
        private readonly HashSet<(Guid, string)> _seen = [];
        private readonly ILookup<string, Guid> _byCode = staff.Where(s => !string.IsNullOrWhiteSpace(s.Code)).ToLookup(s => s.Code!.Trim(), s => s.Id, StringComparer.OrdinalIgnoreCase);
        private readonly ILookup<string, Guid> _byName = staff.ToLookup(s => ImportMapping.Normalize(s.Name), s => s.Id, StringComparer.Ordinal);

        public RowCheck Check(IReadOnlyDictionary<string, object?> v)
        {
            var errors = new List<string>();
            var location = locations.Find((string)v["location"]!, L, errors);
            string? Get(string field) => v.TryGetValue(field, out var x) ? x as string : null;
            var (receipt, interval) = (Get("receiptId"), Get("intervalId"));
            if ((receipt is null) == (interval is null)) errors.Add(L["receiptId: give exactly one of the receipt number or the interval id."]);
            var count = v.TryGetValue("count", out var c) && c is int n ? n : (int?)null;
            DateTimeOffset from = default, to = default;
            if (location is { } place)
            {
                from = to = ImportLocations.At(v["time"], place.Zone, context, errors);
                if (interval is not null)
                {
                    if (v.TryGetValue("to", out var end) && end is not null)
                    {
                        to = ImportLocations.At(end, place.Zone, context, errors);
                        ConversionImport.CheckInterval(from, to, L, errors);
                    }
                    else errors.Add(L["to: an interval needs its end."]);
                }
            }
            if (receipt is not null && count is not null and not 1) errors.Add(L["count: a receipt counts as 1; import intervals for totals."]);
            if (interval is not null && count is null) errors.Add(L["count: an interval needs its number of receipts."]);
            Guid? staffId = null;
            if (Get("employee") is { } who)
            {
                var byCode = _byCode[who.Trim()].Distinct().ToList();
                var byName = byCode.Count == 0 ? [.. _byName[ImportMapping.Normalize(who)].Distinct()] : byCode;
                if (byName.Count == 1) staffId = byName[0];
                else errors.Add(byName.Count > 1 ? L["employee: several employees match \"{0}\"; use their code.", Parsers.Short(who)]
                    : L["employee: no employee with the code or name \"{0}\".", Parsers.Short(who)]);
            }
            if (errors.Count > 0) return RowCheck.Bad(string.Join("; ", errors));
            var externalId = receipt is not null ? "r:" + receipt : "i:" + interval;
            var repeated = !_seen.Add((location!.Value.Id, externalId));
            var items = v.TryGetValue("items", out var it) && it is int itemCount ? itemCount : 0;
            return RowCheck.Good(new Row(location.Value.Id, externalId, from, to, count ?? 1, (long)((decimal)v["revenue"]! * 100), items, staffId, repeated));
        }

        public async Task WriteAsync(OtklikDb db, IReadOnlyList<object> rows, Guid importJobId, CancellationToken ct)
        {
            var list = rows.Cast<Row>().Where(r => !r.Repeated).ToList();
            _duplicates = rows.Count - list.Count;
            if (list.Count == 0) return;
            var locationIds = list.Select(r => r.LocationId).Distinct().ToList();
            var ids = list.Select(r => r.ExternalId).Distinct().ToList();
            // Stored before (an earlier import, or the same receipt sent through the API): not counted again.
            var stored = (await db.PosSales.AsNoTracking().Where(s => locationIds.Contains(s.LocationId) && ids.Contains(s.ExternalId))
                .Select(s => new { s.LocationId, s.ExternalId }).ToListAsync(ct)).Select(s => (s.LocationId, s.ExternalId)).ToHashSet();
            var added = new List<PosSale>();
            _duplicates += list.Count(r => stored.Contains((r.LocationId, r.ExternalId)));
            foreach (var r in list.Where(r => !stored.Contains((r.LocationId, r.ExternalId))))
            {
                var sale = new PosSale
                {
                    OrganizationId = context.OrganizationId, LocationId = r.LocationId, ExternalId = r.ExternalId, From = r.From, To = r.To, Receipts = r.Receipts,
                    RevenueMinor = r.RevenueMinor, Items = r.Items, StaffMemberId = r.StaffId, ReceivedAt = context.Now, ImportJobId = importJobId,
                };
                db.PosSales.Add(sale);
                added.Add(sale);
            }
            await RollupStore.AddAsync(db, added.Select(RollupStore.Of), ct);
        }
    }
}
