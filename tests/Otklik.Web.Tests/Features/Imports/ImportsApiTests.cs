using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Imports;

/// <summary>POST /api/v1/imports and friends: big files, encodings, Excel, mapping errors, undo.</summary>
public abstract class ImportsApiTests(OtklikApp app)
{
    private async Task<(TestOrg Org, HttpClient Http, LocationDto Location, ReasonDto Slow, ReasonDto Polite)> SetUpAsync(string locationName = "Main street", string slowName = "Slow")
    {
        var org = await app.NewOrganizationAsync();
        var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = locationName })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var slow = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = slowName, nameEn = slowName + " service" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        var polite = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Positive", nameRu = "Вежливо", nameEn = "Polite" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        return (org, http, location, slow, polite);
    }

    internal static MultipartFormDataContent Form(byte[] file, string fileName, string? mapping = null, string? encoding = null, string? kind = null)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".xlsx", StringComparison.Ordinal) ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv");
        form.Add(content, "file", fileName);
        if (mapping is not null) form.Add(new StringContent(mapping), "mapping");
        if (encoding is not null) form.Add(new StringContent(encoding), "encoding");
        if (kind is not null) form.Add(new StringContent(kind), "kind");
        return form;
    }

    /// <summary>Polls until the job has finished (the worker runs in the background).</summary>
    internal static async Task<ImportJobDto> WaitAsync(HttpClient http, Guid id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = await (await http.GetAsync($"/api/v1/imports/{id}")).ReadAsync<ImportJobDto>();
            if (job.Status is not (ImportStatus.Queued or ImportStatus.Running)) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException("The import did not finish in two minutes.");
    }

    [Fact]
    public async Task AHundredThousandRows_WithOnePercentBad_ImportsTheGood_ReportsTheBadByRowNumber_AndUndoRemovesThemAll()
    {
        var (org, http, location, slow, _) = await SetUpAsync();
        var csv = new StringBuilder("date,location,sentiment,reasons,text\n");
        var expectedBad = new List<int>();
        for (var i = 0; i < 100_000; i++)
        {
            var row = i + 2;
            // Every hundredth row is bad, in turn in one of four ways.
            var bad = i % 100 == 37;
            if (bad) expectedBad.Add(row);
            var kind = i / 100 % 4;
            var date = bad && kind == 0 ? "31.02.2026" : $"2026-10-{1 + i % 28:00} 12:{i % 60:00}";
            var place = bad && kind == 1 ? "Nowhere" : (i % 2 == 0 ? "Main street" : location.Slug);
            var sentiment = bad && kind == 2 ? "angry" : "Negative";
            var reasons = bad && kind == 3 ? "Polite" : (i % 3 == 0 ? "Slow" : "");
            csv.Append(CultureInfo.InvariantCulture, $"{date},{place},{sentiment},{reasons},Row {row}\n");
        }

        var started = await (await http.PostAsync("/api/v1/imports", Form(Encoding.UTF8.GetBytes(csv.ToString()), "big.csv"))).ReadAsync<ImportJobDto>(HttpStatusCode.Accepted);
        var done = await WaitAsync(http, started.Id);

        Assert.Equal((ImportStatus.Completed, 100_000, 100_000, 99_000, 1_000, 1.0), (done.Status, done.TotalRows, done.ProcessedRows, done.GoodRows, done.BadRows, done.Progress));
        Assert.Equal(expectedBad, done.Errors!.Select(e => e.Row));
        Assert.Contains("date", done.Errors![0].Message, StringComparison.Ordinal);
        Assert.Contains("location", done.Errors![1].Message, StringComparison.Ordinal);
        Assert.Contains("sentiment", done.Errors![2].Message, StringComparison.Ordinal);
        Assert.Contains("reasons", done.Errors![3].Message, StringComparison.Ordinal);
        var badCsv = await (await http.GetAsync($"/api/v1/imports/{started.Id}/errors.csv")).Content.ReadAsStringAsync();
        var badLines = badCsv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1_001, badLines.Length);
        Assert.StartsWith("row,error,date,location,sentiment,reasons,text", badLines[0], StringComparison.Ordinal);
        Assert.Equal(expectedBad, badLines.Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)));
        var (stored, withReason) = await app.WithDbAsync(async db => (
            await db.Feedback.CountAsync(f => f.ImportJobId == started.Id),
            await db.FeedbackReasons.CountAsync(r => r.ReasonId == slow.Id)), org.Id);
        Assert.Equal(99_000, stored);
        Assert.True(withReason > 30_000);
        // The dashboards read the rollups: the imported complaints are counted in every tier, under the Import channel.
        Assert.Equal(99_000L, await app.WithDbAsync(db => db.HourlyRollups.Where(r => r.Channel == "Import").SumAsync(r => r.FeedbackNegative), org.Id));
        Assert.Equal(99_000L, await app.WithDbAsync(db => db.DailyRollups.Where(r => r.Channel == "Import").SumAsync(r => r.FeedbackNegative), org.Id));
        Assert.Equal(99_000L, await app.WithDbAsync(db => db.MonthlyRollups.Where(r => r.Channel == "Import").SumAsync(r => r.FeedbackNegative), org.Id));

        var undone = await (await http.PostAsync($"/api/v1/imports/{started.Id}/undo", null)).ReadAsync<ImportJobDto>();

        Assert.Equal(ImportStatus.Undone, undone.Status);
        Assert.Equal((0, 0), await app.WithDbAsync(async db => (await db.Feedback.CountAsync(), await db.FeedbackReasons.CountAsync()), org.Id));
        Assert.Equal(0L, await app.WithDbAsync(db => db.HourlyRollups.SumAsync(r => r.FeedbackNegative + r.FeedbackPositive + r.FeedbackNeutral), org.Id));
        Assert.Equal(0L, await app.WithDbAsync(db => db.DailyRollups.SumAsync(r => r.FeedbackNegative + r.FeedbackPositive + r.FeedbackNeutral), org.Id));
        Assert.Equal(0L, await app.WithDbAsync(db => db.MonthlyRollups.SumAsync(r => r.FeedbackNegative + r.FeedbackPositive + r.FeedbackNeutral), org.Id));
        await (await http.PostAsync($"/api/v1/imports/{started.Id}/undo", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AWindows1251File_IsDetected_AndCyrillicNamesComeOutRight()
    {
        var (org, http, location, slow, _) = await SetUpAsync("Пекарня на Ленина", "Долгое ожидание");
        var text = "Дата;Точка;Тональность;Причины;Текст;Автор\n"
                 + "01.11.2026 14:30;Пекарня на Ленина;негатив;Долгое ожидание;Ждали кофе 20 минут — «ужас»;Оператор Ольга\n"
                 + "02.11.2026;пекарня на ленина;позитив;Вежливо;Спасибо!;https://vk.com/wall1_2\n";

        var started = await (await http.PostAsync("/api/v1/imports", Form(ImportFiles.Cp1251.GetBytes(text), "звонки.csv"))).ReadAsync<ImportJobDto>(HttpStatusCode.Accepted);
        var done = await WaitAsync(http, started.Id);

        Assert.Equal(("windows-1251", ImportStatus.Completed, 2, 0), (done.Encoding, done.Status, done.GoodRows, done.BadRows));
        Assert.Equal("Точка", done.Mapping["location"]);
        var feedback = await app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).OrderBy(f => f.CreatedAt).ToListAsync(), org.Id);
        Assert.Equal("Ждали кофе 20 минут — «ужас»", feedback[0].Text);
        Assert.Equal("Оператор Ольга", feedback[0].Author);
        Assert.Equal(FeedbackChannel.Import, feedback[0].Channel);
        Assert.Equal(slow.Id, Assert.Single(feedback[0].Reasons).ReasonId);
        Assert.Equal(location.Id, feedback[1].LocationId);
        // 14:30 in Moscow (the location's default zone) is 11:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 11, 30, 0, TimeSpan.Zero), feedback[0].CreatedAt);

        // The same text in UTF-8 with a BOM is read as UTF-8.
        var utf8 = await (await http.PostAsync("/api/v1/imports", Form([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)], "звонки.csv"))).ReadAsync<ImportJobDto>(HttpStatusCode.Accepted);
        Assert.Equal("utf-8", (await WaitAsync(http, utf8.Id)).Encoding);
    }

    [Fact]
    public async Task ABinaryFile_IsRefusedClearly_AndNothingIsStored()
    {
        var (org, http, _, _, _) = await SetUpAsync();
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);

        var problem = await (await http.PostAsync("/api/v1/imports", Form(garbage, "data.csv"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var oldExcel = await (await http.PostAsync("/api/v1/imports", Form([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], "old.xls"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var notUtf8 = await (await http.PostAsync("/api/v1/imports", Form(ImportFiles.Cp1251.GetBytes("Дата;Точка\n1;2\n"), "x.csv", encoding: "utf-8"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("neither UTF-8 nor Windows-1251", problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(".xls", oldExcel.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(["file"], notUtf8.ErrorFields());
        Assert.Equal(0, await app.WithDbAsync(db => db.ImportJobs.CountAsync(), org.Id));
    }

    [Fact]
    public async Task ASmallExcelFile_IsImported()
    {
        var (org, http, location, _, polite) = await SetUpAsync();
        using var book = new XLWorkbook();
        var sheet = book.AddWorksheet("Feedback");
        sheet.Cell(1, 1).Value = "Date";
        sheet.Cell(1, 2).Value = "Location";
        sheet.Cell(1, 3).Value = "Sentiment";
        sheet.Cell(1, 4).Value = "Channel";
        sheet.Cell(1, 5).Value = "Reasons";
        sheet.Cell(1, 6).Value = "Comment";
        sheet.Cell(1, 7).Value = "Phone";
        sheet.Cell(1, 8).Value = "Consent";
        sheet.Cell(2, 1).Value = new DateTime(2026, 11, 3, 9, 15, 0);
        sheet.Cell(2, 2).Value = "Main street";
        sheet.Cell(2, 3).Value = "Positive";
        sheet.Cell(2, 4).Value = "MysteryShopping";
        sheet.Cell(2, 5).Value = "Polite";
        sheet.Cell(2, 6).Value = "Greeted at the door";
        sheet.Cell(2, 7).Value = "+7 999 000-11-22";
        sheet.Cell(2, 8).Value = "да";
        sheet.Cell(4, 1).Value = "2026-11-04";
        sheet.Cell(4, 2).Value = "Main street";
        sheet.Cell(4, 3).Value = "Negative";
        sheet.Cell(4, 4).Value = "Audit";
        sheet.Cell(4, 7).Value = "+7 999 000-11-23";
        sheet.Cell(5, 1).Value = "2026-11-05";
        sheet.Cell(5, 2).Value = "Main street";
        sheet.Cell(5, 3).Value = "Negative";
        sheet.Cell(5, 4).Value = "Telepathy";
        using var stream = new MemoryStream();
        book.SaveAs(stream);

        var started = await (await http.PostAsync("/api/v1/imports", Form(stream.ToArray(), "audit.xlsx"))).ReadAsync<ImportJobDto>(HttpStatusCode.Accepted);
        var done = await WaitAsync(http, started.Id);

        Assert.Equal(("xlsx", 3, 2, 1), (done.Format, done.TotalRows, done.GoodRows, done.BadRows));
        Assert.Equal(5, Assert.Single(done.Errors!).Row);
        var feedback = await app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).OrderBy(f => f.CreatedAt).ToListAsync(), org.Id);
        Assert.Equal((FeedbackChannel.MysteryShopping, "+7 999 000-11-22", polite.Id), (feedback[0].Channel, feedback[0].ContactPhone, feedback[0].Reasons[0].ReasonId));
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 6, 15, 0, TimeSpan.Zero), feedback[0].CreatedAt);
        // No consent: the contact is not kept.
        Assert.Equal((FeedbackChannel.Audit, (string?)null), (feedback[1].Channel, feedback[1].ContactPhone));
        Assert.All(feedback, f => Assert.Equal(location.Id, f.LocationId));
    }

    [Fact]
    public async Task AMappingWithoutARequiredColumn_Gets400NamingIt_AndNothingStarts()
    {
        var (org, http, _, _, _) = await SetUpAsync();
        var file = Encoding.UTF8.GetBytes("when,where,mood\n2026-11-01,Main street,Negative\n");

        var guessedNothing = await (await http.PostAsync("/api/v1/imports", Form(file, "x.csv"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var withoutLocation = await (await http.PostAsync("/api/v1/imports", Form(file, "x.csv", """{"date":"when","sentiment":"mood"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var wrongColumn = await (await http.PostAsync("/api/v1/imports", Form(file, "x.csv", """{"date":"when","location":"place","sentiment":"mood"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var ok = await http.PostAsync("/api/v1/imports", Form(file, "x.csv", """{"date":"when","location":"where","sentiment":"mood"}"""));

        Assert.Contains("mapping.location", withoutLocation.ErrorFields());
        Assert.DoesNotContain("mapping.date", withoutLocation.ErrorFields());
        Assert.Contains("mapping.location", guessedNothing.ErrorFields());
        Assert.Contains("\"place\"", wrongColumn.GetProperty("errors").GetProperty("mapping.location")[0].GetString(), StringComparison.Ordinal);
        var done = await WaitAsync(http, (await ok.ReadAsync<ImportJobDto>(HttpStatusCode.Accepted)).Id);
        Assert.Equal(1, done.GoodRows);
        Assert.Equal(1, await app.WithDbAsync(db => db.ImportJobs.CountAsync(), org.Id));
    }

    [Fact]
    public async Task NotAForm_OrAnUnknownKind_Gets400()
    {
        var (_, http, _, _, _) = await SetUpAsync();

        var json = await (await http.PostJsonAsync("/api/v1/imports", new { file = "x" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var kind = await (await http.PostAsync("/api/v1/imports", Form("a\n1\n"u8.ToArray(), "x.csv", kind: "spaceships"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var mapping = await (await http.PostAsync("/api/v1/imports", Form("a\n1\n"u8.ToArray(), "x.csv", mapping: "[1,2"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["file"], json.ErrorFields());
        Assert.Equal(["kind"], kind.ErrorFields());
        Assert.Equal(["mapping"], mapping.ErrorFields());
    }

    [Fact]
    public async Task ALocationManager_CannotImport()
    {
        var (org, _, location, _, _) = await SetUpAsync();
        using var manager = app.WithKey(await app.NewApiKeyAsync(org.Id, Otklik.Web.Tenancy.OtklikRole.LocationManager, location.Id));

        var response = await manager.PostAsync("/api/v1/imports", Form("date,location,sentiment\n2026-11-01,Main street,Negative\n"u8.ToArray(), "x.csv"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task PostFeedback_FromTheNewChannels_KeepsAuthorAndConsentVersion()
    {
        var (org, http, location, slow, _) = await SetUpAsync();
        await http.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version one" });
        await http.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version two" });

        var ids = new List<Guid>();
        foreach (var channel in new[] { "SocialNetwork", "ReviewSite", "Audit", "MysteryShopping" })
            ids.Add((await (await http.PostJsonAsync("/api/v1/feedback", new
            {
                locationId = location.Id, channel, sentiment = "Negative", reasonIds = new[] { slow.Id }, text = "Seen on " + channel,
                author = "https://example.com/post/1", contactName = "Ivan", contactPhone = "+79990001122", contactConsent = true, contactConsentVersion = 1,
            })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created)).Id);
        var badVersion = await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "Audit", sentiment = "Negative", contactPhone = "+79990001122", contactConsent = true, contactConsentVersion = 7,
        });
        var longAuthor = await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "Audit", sentiment = "Negative", author = new string('a', 1001) });

        var read = await (await http.GetAsync($"/api/v1/feedback/{ids[3]}")).ReadAsync<FeedbackDto>();
        Assert.Equal((FeedbackChannel.MysteryShopping, "https://example.com/post/1", 1, "+79990001122"), (read.Channel, read.Author, read.ContactConsentVersion, read.ContactPhone));
        Assert.Contains("contactconsentversion", (await badVersion.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("author", (await longAuthor.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(4, await app.WithDbAsync(db => db.Feedback.CountAsync(), org.Id));
    }
}

public sealed class ImportsApiSqliteTests(SqliteApp app) : ImportsApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ImportsApiPostgresTests(PostgresApp app) : ImportsApiTests(app), IClassFixture<PostgresApp>;
