using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Privacy;
using Otklik.Web.Features.Security;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Privacy;

public abstract class PersonRequestsTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;

    /// <summary>A customer with unique values, so a search of the whole database by value finds only them.</summary>
    private sealed record Person(string Token, string Name, string Email, string Phone, string PhoneOtherwise, string Complaint, string Praise, string Note, string Message)
    {
        public static Person New()
        {
            var token = Guid.NewGuid().ToString("N")[..10];
            var digits = Random.Shared.Next(100_0000, 999_9999).ToString(CultureInfo.InvariantCulture);
            return new Person(token, $"Zoya Privatova{token}", $"zoya.{token}@example.com", $"+7 (912) {digits[..3]}-{digits[3..5]}-{digits[5..]}", $"8912{digits}",
                $"Cold borscht {token} and a rude waiter", $"Lovely cake {token}", $"Called Zoya {token}: still upset", $"Dear Zoya {token}, we are sorry");
        }

        /// <summary>Everything personal, as it was stored; none of it may remain after erasure.</summary>
        public IEnumerable<string> Values => [Token, Name, Email, Phone, PhoneOtherwise[1..]];
    }

    private async Task<(Guid Complaint, Guid Praise)> CreatePersonAsync(Seed seed, Person p)
    {
        using var owner = seed.Org.Owner();
        var complaint = await (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { seed.Reason.Id }, text = p.Complaint,
            contactName = p.Name, contactEmail = p.Email, contactPhone = p.Phone, contactConsent = true,
            attachments = new[] { Convert.ToBase64String(Files.Jpeg), Convert.ToBase64String(Files.Wav()) }, attachmentConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        // The same person another day, with the phone written differently and no e-mail.
        var praise = await (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "QrPage", sentiment = "Positive", text = p.Praise, contactName = p.Name, contactPhone = p.PhoneOtherwise,
            contactConsent = true, testimonialConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        (await owner.PostJsonAsync("/api/v1/testimonials", new { feedbackId = praise.Id })).EnsureSuccessStatusCode();
        var caseId = await app.WithDbAsync(db => db.Cases.Where(c => c.FeedbackId == complaint.Id).Select(c => c.Id).SingleAsync(), seed.Org.Id);
        (await owner.PostJsonAsync($"/api/v1/cases/{caseId}/timeline", new { kind = "Note", text = p.Note })).EnsureSuccessStatusCode();
        (await owner.PostJsonAsync($"/api/v1/cases/{caseId}/messages", new { channel = "Email", subject = "Your visit", text = p.Message })).EnsureSuccessStatusCode();
        return (complaint.Id, praise.Id);
    }

    private async Task<string> MetricsAsync(HttpClient owner)
    {
        var now = fixture.Time.GetUtcNow();
        var range = $"from={now.AddDays(-2):yyyy-MM-dd}&to={now.AddDays(2):yyyy-MM-dd}";
        var byLocation = await (await owner.GetAsync($"/api/v1/metrics?{range}")).Content.ReadAsStringAsync();
        var byDay = await (await owner.GetAsync($"/api/v1/metrics?{range}&groupBy=day")).Content.ReadAsStringAsync();
        var cases = await app.WithDbAsync(db => db.Cases.CountAsync(), null);
        return byLocation + byDay + cases.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ExportHoldsEverything_AndAfterErasure_NothingPersonalRemains_InTheDatabaseOrTheFiles_WhileMetricsStay()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        (await owner.PostJsonAsync($"/api/v1/locations/{seed.Location.Id}/notification-channels",
            new { name = "Mail", kind = "Email", target = "shift@otklik.test", notifyOnRaise = true })).EnsureSuccessStatusCode();
        var p = Person.New();
        var (complaint, praise) = await CreatePersonAsync(seed, p);
        var bystander = Person.New();
        await (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "CallCentre", sentiment = "Negative", text = bystander.Complaint, contactEmail = bystander.Email, contactConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);
        var keys = await app.WithDbAsync(db => db.FeedbackAttachments.Where(a => a.FeedbackId == complaint).Select(a => a.StorageKey).ToListAsync(), seed.Org.Id);
        Assert.Equal(2, keys.Count);
        var metrics = await MetricsAsync(owner);

        // Found by e-mail alone: the complaint; by phone too: the praise written with the number in another form.
        var byEmail = await (await owner.GetAsync($"/api/v1/privacy/person?email={Uri.EscapeDataString(p.Email.ToUpperInvariant())}")).ReadAsync<PersonSummary>();
        Assert.Equal((1, 1, 1, 2), (byEmail.Feedback, byEmail.Cases, byEmail.Messages, byEmail.Attachments));
        var query = $"email={Uri.EscapeDataString(p.Email)}&phone={Uri.EscapeDataString(p.Phone)}";
        var summary = await (await owner.GetAsync($"/api/v1/privacy/person?{query}")).ReadAsync<PersonSummary>();
        Assert.Equal((2, 1, 1, 2), (summary.Feedback, summary.Cases, summary.Messages, summary.Attachments));
        Assert.Equal([p.Name], summary.Names);
        Assert.Equal([complaint, praise], summary.Items.Select(i => i.Id));
        Assert.All(summary.Items, i => Assert.Equal(0, i.ConsentVersion));
        Assert.All(summary.Items, i => Assert.NotNull(i.ConsentAt));

        // The export: person.json with all of it, and the files byte for byte.
        var export = await owner.GetAsync($"/api/v1/privacy/person/export?{query}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType?.MediaType);
        using (var zip = new ZipArchive(await export.Content.ReadAsStreamAsync(), ZipArchiveMode.Read))
        {
            string json;
            using (var reader = new StreamReader(zip.GetEntry("person.json")!.Open())) json = await reader.ReadToEndAsync();
            foreach (var value in new[] { p.Name, p.Email, p.Phone, p.PhoneOtherwise, p.Complaint, p.Praise, p.Note, p.Message, "Долго" })
                Assert.Contains(value, json, StringComparison.Ordinal);
            var person = JsonSerializer.Deserialize<PersonExport>(json, PersonRequests.Json)!;
            Assert.Equal(2, person.Feedback.Count);
            Assert.Equal(ConsentTexts.DefaultRu, person.Feedback[0].Consent!.Text);
            var c = Assert.Single(person.Cases);
            Assert.Contains(c.Timeline, e => e.Kind == Web.Features.Cases.CaseEventKind.MessageSent && e.Text!.Contains(p.Message, StringComparison.Ordinal));
            var files = person.Feedback[0].Attachments;
            Assert.Equal(2, files.Count);
            // Each file names the consent it was kept under: the text, when, and through which channel.
            Assert.All(files, f => Assert.Equal((0, ConsentTexts.DefaultRu, FeedbackChannel.Kiosk), (f.Consent.Version, f.Consent.Text, f.Consent.Channel)));
            Assert.All(files, f => Assert.NotNull(f.Consent.At));
            foreach (var f in files)
            {
                using var copy = new MemoryStream();
                await using (var entry = zip.GetEntry(f.File)!.Open()) await entry.CopyToAsync(copy);
                Assert.Equal(f.ContentType == "image/jpeg" ? Files.Jpeg : Files.Wav(), copy.ToArray());
            }
            Assert.Equal(["audio/wav", "image/jpeg"], files.Select(f => f.ContentType).Order(StringComparer.Ordinal));
        }

        // Erasure.
        var erased = await (await owner.PostJsonAsync("/api/v1/privacy/person/erase", new { email = p.Email, phone = p.Phone })).ReadAsync<PersonErased>();
        Assert.Equal(new PersonErased(2, 1, 1, 2, 0, 0), erased);
        await (await owner.GetAsync($"/api/v1/privacy/person?{query}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostJsonAsync("/api/v1/privacy/person/erase", new { email = p.Email })).AssertProblemAsync(HttpStatusCode.NotFound);

        // Nothing personal in any text column of any table…
        var leftovers = await SearchDatabaseAsync(p.Values);
        Assert.True(leftovers.Count == 0, "Still in the database: " + string.Join("; ", leftovers));
        // …nor in the attachment folder…
        var folder = Path.Combine(app.DataFolder, "attachments");
        var remaining = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => f.Replace('\\', '/')).ToList() : [];
        Assert.DoesNotContain(remaining, f => keys.Any(k => f.EndsWith(k, StringComparison.Ordinal)));
        // …while the bystander keeps theirs, and the numbers do not move.
        Assert.NotEmpty(await SearchDatabaseAsync([bystander.Email]));
        Assert.Equal(metrics, await MetricsAsync(owner));
        var signal = await app.WithDbAsync(db => db.Feedback.AsNoTracking().Include(f => f.Reasons).SingleAsync(f => f.Id == complaint), seed.Org.Id);
        Assert.Equal((Sentiment.Negative, FeedbackChannel.Kiosk, seed.Reason.Id), (signal.Sentiment, signal.Channel, Assert.Single(signal.Reasons).ReasonId));

        // The erasure is in the audit log, with counts and no data.
        var log = await (await owner.GetAsync($"/api/v1/audit?action={PrivacyAudit.Erased}")).ReadAsync<Page<AuditEntryDto>>();
        var line = Assert.Single(log.Items);
        Assert.Contains("feedback: 2", line.Detail, StringComparison.Ordinal);
        Assert.Single((await (await owner.GetAsync($"/api/v1/audit?action={PrivacyAudit.Exported}")).ReadAsync<Page<AuditEntryDto>>()).Items);
    }

    [Fact]
    public async Task PersonRequests_AreForOwnersOnly_AndBadInputIs400()
    {
        var seed = await Seed.CreateAsync(app);
        var manager = await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.CxManager);
        using var http = app.WithKey(manager);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/privacy/person?email=a@b.test")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostJsonAsync("/api/v1/privacy/person/erase", new { email = "a@b.test" })).StatusCode);
        using var owner = seed.Org.Owner();
        Assert.Contains("email", (await (await owner.GetAsync("/api/v1/privacy/person")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("phone", (await (await owner.GetAsync("/api/v1/privacy/person/export?phone=abc")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("email", (await (await owner.PostJsonAsync("/api/v1/privacy/person/erase", new { email = "not-an-address" })).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        await (await owner.GetAsync("/api/v1/privacy/person?email=nobody@example.com")).AssertProblemAsync(HttpStatusCode.NotFound);

        // Another organization's owner finds, exports and erases nothing of this organization's customer.
        var p = Person.New();
        await CreatePersonAsync(seed, p);
        using var other = (await app.NewOrganizationAsync()).Owner();
        var query = $"email={Uri.EscapeDataString(p.Email)}&phone={Uri.EscapeDataString(p.Phone)}";
        await (await other.GetAsync($"/api/v1/privacy/person?{query}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.GetAsync($"/api/v1/privacy/person/export?{query}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.PostJsonAsync("/api/v1/privacy/person/erase", new { email = p.Email, phone = p.Phone })).AssertProblemAsync(HttpStatusCode.NotFound);
        var still = await (await owner.GetAsync($"/api/v1/privacy/person?{query}")).ReadAsync<PersonSummary>();
        Assert.Equal((2, 2), (still.Feedback, still.Attachments));
    }

    /// <summary>Every string column of every table, searched for each value; returns "table.column: value" hits.</summary>
    private Task<List<string>> SearchDatabaseAsync(IEnumerable<string> values) => app.WithDbAsync(async db =>
    {
        var hits = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is not { } table) continue;
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties().Where(x => x.ClrType == typeof(string)))
            {
                if (property.GetColumnName(store) is not { } column) continue;
                // Names come from the model, values go as parameters.
                var sql = "SELECT COUNT(*) AS \"Value\" FROM \"" + table + "\" WHERE \"" + column + "\" LIKE {0}";
                foreach (var value in values)
                {
                    var count = await db.Database.SqlQueryRaw<int>(sql, $"%{value}%").SingleAsync();
                    if (count > 0) hits.Add($"{table}.{column}: {value}");
                }
            }
        }
        return hits;
    });
}

public sealed class PersonRequestsSqliteTests(AlertsSqliteApp app) : PersonRequestsTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class PersonRequestsPostgresTests(AlertsPostgresApp app) : PersonRequestsTests(app), IClassFixture<AlertsPostgresApp>;
