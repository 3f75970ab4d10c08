using System.Globalization;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Imports;
using Otklik.Web.Tests.Features.Imports;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Conversion;

/// <summary>Visitor counts and POS sales from CSV and Excel files: column mapping, idempotent re-imports, whole-file refusal, undo, rollups.</summary>
public abstract class ConversionImportTests(OtklikApp app)
{
    /// <summary>A fixed local day well in the past (in the locations' own zone), whatever the time of day the test runs.</summary>
    private static readonly DateOnly Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3);

    private static string At(int hour, int minute = 0) => Day.ToDateTime(new TimeOnly(hour, minute)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string DayText => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<ImportJobDto> ImportAsync(HttpClient http, byte[] file, string name, string kind, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var started = await (await http.PostAsync("/api/v1/imports", ImportsApiTests.Form(file, name, kind: kind))).ReadAsync<ImportJobDto>(expected);
        return await ImportsApiTests.WaitAsync(http, started.Id);
    }

    private static byte[] VisitorsCsv() => Encoding.UTF8.GetBytes(
        "Точка;С;По;Вошли;Вышли\n"
        + $"Main;{At(10)};{At(11)};30;28\n"
        + $"main;{At(11)};{At(12)};20;22\n"
        + $"Other;{At(10)};{At(10, 30)};5;5\n"
        // The same interval of the same counter twice in one file counts once.
        + $"Main;{At(10)};{At(11)};30;28\n");

    /// <summary>Two receipts (one by Anna, one twice in the file) and an interval of 4 receipts, all at Main.</summary>
    private static byte[] SalesXlsx()
    {
        using var book = new XLWorkbook();
        var sheet = book.AddWorksheet("Sales");
        string[] header = ["Location", "Receipt", "Interval", "Time", "To", "Count", "Revenue", "Items", "Seller"];
        for (var c = 0; c < header.Length; c++) sheet.Cell(1, c + 1).Value = header[c];
        void Row(int r, string receipt, string interval, DateTime time, DateTime? to, int? count, double revenue, int items, string seller)
        {
            sheet.Cell(r, 1).Value = "Main";
            sheet.Cell(r, 2).Value = receipt;
            sheet.Cell(r, 3).Value = interval;
            sheet.Cell(r, 4).Value = time;
            if (to is { } end) sheet.Cell(r, 5).Value = end;
            if (count is { } n) sheet.Cell(r, 6).Value = n;
            sheet.Cell(r, 7).Value = revenue;
            sheet.Cell(r, 8).Value = items;
            sheet.Cell(r, 9).Value = seller;
        }
        DateTime T(int hour, int minute = 0) => Day.ToDateTime(new TimeOnly(hour, minute));
        Row(2, "R-1", "", T(10, 15), null, null, 1499.90, 3, "Anna");
        Row(3, "R-2", "", T(10, 40), null, null, 500, 1, "");
        Row(4, "", "Z-1", T(11), T(12), 4, 2000.10, 6, "");
        Row(5, "R-1", "", T(10, 15), null, null, 1499.90, 3, "Anna");
        using var stream = new MemoryStream();
        book.SaveAs(stream);
        return stream.ToArray();
    }

    private Task<(long Visitors, long Receipts, decimal Revenue, long Items)> RolledAsync(Guid org) => app.WithDbAsync(async db =>
    {
        var rows = await db.HourlyRollups.AsNoTracking().ToListAsync();
        return (rows.Sum(r => r.Visitors), rows.Sum(r => r.Receipts), rows.Sum(r => r.Revenue), rows.Sum(r => r.Items));
    }, org);

    /// <summary>The conversion columns of every rollup bucket that counts something, in a fixed order.</summary>
    private Task<List<string>> BucketsAsync(Guid org) => app.WithDbAsync(async db =>
        (await db.HourlyRollups.AsNoTracking().ToListAsync())
            .Where(r => r.Visitors != 0 || r.Receipts != 0 || r.Revenue != 0 || r.Items != 0 || r.SalesAttempts != 0)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.LocationId} {r.HourStartUtc.UtcTicks} {r.StaffKey} {r.Visitors} {r.Receipts} {r.Revenue:0.00} {r.Items} {r.SalesAttempts}"))
            .Order(StringComparer.Ordinal).ToList(), org);

    /// <summary>The rollups as maintained equal a rebuild from the raw rows.</summary>
    private async Task AssertRollupsMatchRebuildAsync(HttpClient owner, Guid org)
    {
        var maintained = await BucketsAsync(org);
        var from = new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-1);
        (await owner.PostJsonAsync("/api/v1/rollups/rebuild", new { from, to = from.AddDays(3) })).EnsureSuccessStatusCode();
        Assert.Equal(maintained, await BucketsAsync(org));
    }

    [Fact]
    public async Task VisitorCsv_AndSalesXlsx_ImportOnce_AddToTheRollups_AndUndoTakesThemOut()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();

        var visitors = await ImportAsync(owner, VisitorsCsv(), "counter.csv", VisitorCountImportTarget.KindName);
        var sales = await ImportAsync(owner, SalesXlsx(), "pos.xlsx", PosSaleImportTarget.KindName);

        // The row repeated in each file is reported as already imported, not stored twice.
        Assert.Equal((ImportStatus.Completed, 3, 1, 0), (visitors.Status, visitors.GoodRows, visitors.DuplicateRows, visitors.BadRows));
        Assert.Equal(("xlsx", ImportStatus.Completed, 3, 1, 0), (sales.Format, sales.Status, sales.GoodRows, sales.DuplicateRows, sales.BadRows));
        Assert.Equal(("Вошли", "С", "Receipt", "Interval", "Seller"),
            (visitors.Mapping["in"], visitors.Mapping["from"], sales.Mapping["receiptId"], sales.Mapping["intervalId"], sales.Mapping["employee"]));
        var counts = await app.WithDbAsync(db => db.VisitorCounts.OrderBy(v => v.From).ThenBy(v => v.In).ToListAsync(), seed.Org.Id);
        Assert.Equal([(5, seed.OtherLocation.Id), (30, seed.Location.Id), (20, seed.Location.Id)], counts.Select(v => (v.In, v.LocationId)));
        Assert.All(counts, v => Assert.Equal((IngestChannel.Import, (Guid?)null, visitors.Id), (v.Channel, v.DeviceId, v.ImportJobId!.Value)));
        // 10:00 in Moscow (the locations' zone) is 07:00 UTC.
        Assert.Equal(new DateTimeOffset(Day.ToDateTime(new TimeOnly(7, 0)), TimeSpan.Zero), counts[1].From);
        var stored = await app.WithDbAsync(db => db.PosSales.OrderBy(s => s.ExternalId).ToListAsync(), seed.Org.Id);
        Assert.Equal([("i:Z-1", 4, 200010L, 6, (Guid?)null), ("r:R-1", 1, 149990L, 3, seed.Staff.Id), ("r:R-2", 1, 50000L, 1, null)],
            stored.Select(s => (s.ExternalId, s.Receipts, s.RevenueMinor, s.Items, s.StaffMemberId)));
        Assert.Equal((55L, 6L, 4000.00m, 10L), await RolledAsync(seed.Org.Id));

        // The same files again: nothing new is stored or counted.
        var visitorsAgain = await ImportAsync(owner, VisitorsCsv(), "counter.csv", VisitorCountImportTarget.KindName);
        var salesAgain = await ImportAsync(owner, SalesXlsx(), "pos.xlsx", PosSaleImportTarget.KindName);
        Assert.Equal((ImportStatus.Completed, 0, 4), (visitorsAgain.Status, visitorsAgain.GoodRows, visitorsAgain.DuplicateRows));
        Assert.Equal((ImportStatus.Completed, 0, 4), (salesAgain.Status, salesAgain.GoodRows, salesAgain.DuplicateRows));
        Assert.Equal((3, 3), await app.WithDbAsync(async db => (await db.VisitorCounts.CountAsync(), await db.PosSales.CountAsync()), seed.Org.Id));
        Assert.Equal((55L, 6L, 4000.00m, 10L), await RolledAsync(seed.Org.Id));

        // The conversion report of that day at Main: 50 visitors, 6 receipts for 4 000.00 with 10 items.
        var report = Seed.Parse(await (await owner.GetAsync($"/api/v1/reports/conversion?locationId={seed.Location.Id}&from={DayText}&to={DayText}")).Content.ReadAsStringAsync());
        var t = report.GetProperty("totals");
        Assert.Equal((50L, 6L, 4000.00m, 10L), (t.GetProperty("visitors").GetInt64(), t.GetProperty("receipts").GetInt64(), t.GetProperty("revenue").GetDecimal(), t.GetProperty("items").GetInt64()));
        Assert.Equal((0.12, 666.67m), (t.GetProperty("conversion").GetDouble(), t.GetProperty("averageCheck").GetDecimal()));
        await AssertRollupsMatchRebuildAsync(owner, seed.Org.Id);

        // Undoing the re-import removes nothing (it created nothing); undoing the first sales import removes the sales and their counts.
        (await owner.PostAsync($"/api/v1/imports/{salesAgain.Id}/undo", null)).EnsureSuccessStatusCode();
        Assert.Equal((55L, 6L, 4000.00m, 10L), await RolledAsync(seed.Org.Id));
        (await owner.PostAsync($"/api/v1/imports/{sales.Id}/undo", null)).EnsureSuccessStatusCode();
        Assert.Equal(0, await app.WithDbAsync(db => db.PosSales.CountAsync(), seed.Org.Id));
        Assert.Equal((55L, 0L, 0m, 0L), await RolledAsync(seed.Org.Id));
        await AssertRollupsMatchRebuildAsync(owner, seed.Org.Id);
        (await owner.PostAsync($"/api/v1/imports/{visitors.Id}/undo", null)).EnsureSuccessStatusCode();
        Assert.Equal((0L, 0L, 0m, 0L), await RolledAsync(seed.Org.Id));
        Assert.Equal(0, await app.WithDbAsync(db => db.VisitorCounts.CountAsync(), seed.Org.Id));
        Assert.Empty(await BucketsAsync(seed.Org.Id));
    }

    [Fact]
    public async Task FilesWithBadRows_AreRefusedWhole_NamingEachBadRow_AndNothingIsWritten()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var visitorsCsv = "location,from,to,in,out\n"
            + $"Main,{At(10)},{At(11)},30,28\n"
            + $"Main,{At(12)},{At(11)},3,1\n"
            + $"Nowhere,{At(10)},{At(11)},3,1\n"
            + $"Main,{At(10)},{At(11)},-3,1\n";
        var salesCsv = "location,receiptId,intervalId,time,to,count,revenue,items,employee\n"
            + $"Main,R-1,,{At(10)},,,100,1,\n"
            + $"Main,R-2,Z-2,{At(10)},,,100,1,\n"
            + $"Main,R-3,,{At(10)},,,1.999,1,\n"
            + $"Main,,Z-3,{At(10)},,,100,1,\n"
            + $"Main,R-4,,{At(10)},,,100,1,Nobody\n";

        var visitors = await ImportAsync(owner, Encoding.UTF8.GetBytes(visitorsCsv), "counter.csv", VisitorCountImportTarget.KindName);
        var sales = await ImportAsync(owner, Encoding.UTF8.GetBytes(salesCsv), "pos.csv", PosSaleImportTarget.KindName);

        Assert.Equal((ImportStatus.Failed, 0, 3, ImportRunner.RefusedError), (visitors.Status, visitors.GoodRows, visitors.BadRows, visitors.Error));
        Assert.Equal([3, 4, 5], visitors.Errors!.Select(e => e.Row));
        Assert.Equal(["to:", "location:", "in:"], visitors.Errors!.Select(e => e.Message.Split(' ')[0]));
        Assert.Equal((ImportStatus.Failed, 0, 4), (sales.Status, sales.GoodRows, sales.BadRows));
        Assert.Equal([3, 4, 5, 6], sales.Errors!.Select(e => e.Row));
        Assert.Equal(["receiptId:", "revenue:", "to:", "employee:"], sales.Errors!.Select(e => e.Message.Split(' ')[0]));
        Assert.Contains("count:", sales.Errors![2].Message, StringComparison.Ordinal);
        Assert.Equal((0, 0), await app.WithDbAsync(async db => (await db.VisitorCounts.CountAsync(), await db.PosSales.CountAsync()), seed.Org.Id));
        Assert.Equal((0L, 0L, 0m, 0L), await RolledAsync(seed.Org.Id));
        var badCsv = await (await owner.GetAsync($"/api/v1/imports/{sales.Id}/errors.csv")).Content.ReadAsStringAsync();
        Assert.Equal(5, badCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task ReceiptsAlreadySentThroughTheApi_AreNotCountedAgainByAnImport()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var at = new DateTimeOffset(Day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        (await owner.PostJsonAsync("/api/v1/sales", new { sales = new[] { new { locationId = seed.Location.Id, receiptId = "R-1", at, revenue = 100m, items = 1 } } }))
            .EnsureSuccessStatusCode();

        var done = await ImportAsync(owner, Encoding.UTF8.GetBytes($"location,receipt,time,revenue\nMain,R-1,{At(12)},100\nMain,R-2,{At(12, 30)},250.5\n"), "pos.csv",
            PosSaleImportTarget.KindName);

        Assert.Equal((ImportStatus.Completed, 1, 1), (done.Status, done.GoodRows, done.DuplicateRows));
        Assert.Equal(["r:R-1", "r:R-2"], await app.WithDbAsync(db => db.PosSales.OrderBy(s => s.ExternalId).Select(s => s.ExternalId).ToListAsync(), seed.Org.Id));
        Assert.Equal((0L, 2L, 350.50m, 1L), await RolledAsync(seed.Org.Id));
    }
}

public sealed class ConversionImportSqliteTests(SqliteApp app) : ConversionImportTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ConversionImportPostgresTests(PostgresApp app) : ConversionImportTests(app), IClassFixture<PostgresApp>;
