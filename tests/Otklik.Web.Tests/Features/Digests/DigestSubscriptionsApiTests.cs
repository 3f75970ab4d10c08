using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Core.Reports;
using Otklik.Web.Features.Digests;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;
using CoreDigests = Otklik.Core.Reports.Digests;

namespace Otklik.Web.Tests.Features.Digests;

/// <summary>
/// <c>GET/PUT /api/v1/digests/subscriptions</c> over HTTP on the real database: an owner reads and sets each person's digest as
/// the person can on /account/digests, the worker then sends to what was set; bad input is 400 and writes nothing; a person
/// of another organization is 404; only owners may use it.
/// </summary>
public abstract class DigestSubscriptionsApiTests(IAlertsApp fixture)
{
    private const string Url = "/api/v1/digests/subscriptions";
    private readonly OtklikApp app = fixture.App;
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    private static async Task<UserDto> NewUserAsync(HttpClient owner, OtklikRole role) =>
        await (await owner.PostJsonAsync("/api/v1/users", new { email = $"person-{Guid.NewGuid():N}@test.otklik", role, password = "Digest-pass-1" }))
            .ReadAsync<UserDto>(HttpStatusCode.Created);

    private Task<List<DigestSubscription>> RowsAsync(TestOrg org) =>
        app.WithDbAsync(db => db.DigestSubscriptions.AsNoTracking().OrderBy(s => s.UserId).ToListAsync(), org.Id);

    private static string Fingerprint(IEnumerable<DigestSubscription> rows) =>
        string.Join(";", rows.Select(s => $"{s.Id}|{s.UserId}|{s.Frequency}|{s.Email}|{s.UpdatedAt:O}"));

    [Fact]
    public async Task List_ShowsEveryPersonOfTheOrganization_AndPut_ChangesOnlyThatPerson()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var viewer = await NewUserAsync(owner, OtklikRole.Viewer);
        var stranger = await app.NewOrganizationAsync();

        var before = await (await owner.GetAsync(Url)).ReadAsync<Page<DigestSubscriptionDto>>();
        Assert.Equal(2, before.Total);
        Assert.Equal([org.OwnerId, viewer.Id], before.Items.Select(i => i.UserId).Order());
        Assert.All(before.Items, i => Assert.Equal(("off", (string?)null, (DateTimeOffset?)null), (i.Frequency, i.Email, i.UpdatedAt)));
        Assert.DoesNotContain(before.Items, i => i.UserId == stranger.OwnerId);

        var put = await (await owner.PutJsonAsync($"{Url}/{viewer.Id}", new { frequency = "Weekly", email = " shop@test.otklik " })).ReadAsync<DigestSubscriptionDto>();
        Assert.Equal((viewer.Id, viewer.Email, OtklikRole.Viewer, "weekly", "shop@test.otklik", fixture.Time.GetUtcNow()),
            (put.UserId, put.AccountEmail, put.Role, put.Frequency, put.Email, put.UpdatedAt));

        var after = await (await owner.GetAsync(Url)).ReadAsync<Page<DigestSubscriptionDto>>();
        Assert.Equal(put, Assert.Single(after.Items, i => i.UserId == viewer.Id));
        Assert.Equal("off", Assert.Single(after.Items, i => i.UserId == org.OwnerId).Frequency);
        var row = Assert.Single(await RowsAsync(org));
        Assert.Equal((viewer.Id, org.Id, DigestFrequency.Weekly, "shop@test.otklik"), (row.UserId, row.OrganizationId, row.Frequency, row.Email));

        // Off again, back to the account e-mail: the same row, changed.
        var off = await (await owner.PutJsonAsync($"{Url}/{viewer.Id}", new { frequency = "off", email = (string?)null })).ReadAsync<DigestSubscriptionDto>();
        Assert.Equal(("off", (string?)null), (off.Frequency, off.Email));
        var same = Assert.Single(await RowsAsync(org));
        Assert.Equal((row.Id, DigestFrequency.None, (string?)null), (same.Id, same.Frequency, same.Email));

        // Where a digest goes is audited (set, then back to the account e-mail); a change of frequency alone is not.
        (await owner.PutJsonAsync($"{Url}/{viewer.Id}", new { frequency = "daily", email = (string?)null })).EnsureSuccessStatusCode();
        var audit = await (await owner.GetAsync($"/api/v1/audit?action=digest.address-changed&targetId={viewer.Id}")).ReadAsync<Page<AuditEntryDto>>();
        Assert.Equal(["account e-mail", "another address"], audit.Items.Select(i => i.Detail));
        Assert.All(audit.Items, i => Assert.Equal((viewer.Id, viewer.Email), (i.TargetId, i.Target)));
        Assert.All(audit.Items, i => Assert.NotNull(i.UserId ?? i.ApiKeyId)); // the owner's key, named as the actor
    }

    [Fact]
    public async Task Put_IsWhatTheWorkerSends_ToTheAddressSet()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var address = $"digest-{Guid.NewGuid():N}@test.otklik";
        (await owner.PutJsonAsync($"{Url}/{org.OwnerId}", new { frequency = "daily", email = address })).EnsureSuccessStatusCode();
        // The next day at 07:30 Moscow time (the organization's zone), yesterday's digest is due.
        var tomorrow = CoreDigests.LocalDate(fixture.Time.GetUtcNow(), Moscow).AddDays(1);
        var at = new DateTimeOffset(tomorrow.ToDateTime(new TimeOnly(7, 30)), Moscow.GetUtcOffset(tomorrow.ToDateTime(new TimeOnly(7, 30))));
        fixture.Time.Advance(at - fixture.Time.GetUtcNow());

        await app.Services.GetRequiredService<DigestWorker>().RunOnceAsync(CancellationToken.None);

        for (var i = 0; i < 200 && !fixture.Fakes.Mail.Any(m => m.To.Mailboxes.Any(b => b.Address == address)); i++) await Task.Delay(50);
        var mail = Assert.Single(fixture.Fakes.Mail, m => m.To.Mailboxes.Any(b => b.Address == address));
        Assert.Single(mail.Attachments);
        var delivery = Assert.Single(await app.WithDbAsync(db => db.DigestDeliveries.Where(d => d.UserId == org.OwnerId).ToListAsync(), org.Id));
        Assert.Equal((DigestFrequency.Daily, tomorrow.AddDays(-1), address), (delivery.Frequency, delivery.PeriodStart, delivery.Email));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"frequency":"hourly"}""", "frequency" },
        { """{"frequency":"none "}""", "frequency" },
        { """{"email":"a@test.otklik"}""", "frequency" },
        { """{"frequency":""}""", "frequency" },
        { """{"frequency":"daily","email":"not an address"}""", "email" },
        { $$"""{"frequency":"daily","email":"{{new string('a', 300)}}@test.otklik"}""", "email" },
        { """{"frequency":"sometimes","email":"@"}""", "email,frequency" },
        { """{"frequency":3}""", "" },
        { """{"frequency":"daily",""", "" },
        { "not json", "" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInput_Is400ProblemDetails_AndWritesNothing(string body, string fields)
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        (await owner.PutJsonAsync($"{Url}/{org.OwnerId}", new { frequency = "monthly", email = "kept@test.otklik" })).EnsureSuccessStatusCode();
        var before = Fingerprint(await RowsAsync(org));

        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Url}/{org.OwnerId}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var problem = await (await owner.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        if (fields.Length > 0) Assert.Equal(fields.Split(','), problem.ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal(before, Fingerprint(await RowsAsync(org)));
    }

    [Fact]
    public async Task AnotherOrganizationsPerson_Is404_UnknownIs404_AndOnlyOwnersMayUseIt()
    {
        var victim = await app.NewOrganizationAsync();
        using var victimOwner = victim.Owner();
        (await victimOwner.PutJsonAsync($"{Url}/{victim.OwnerId}", new { frequency = "weekly" })).EnsureSuccessStatusCode();
        var before = Fingerprint(await RowsAsync(victim));
        var intruder = await app.NewOrganizationAsync();
        using var http = intruder.Owner();

        await (await http.PutJsonAsync($"{Url}/{victim.OwnerId}", new { frequency = "daily", email = "intruder@test.otklik" })).AssertProblemAsync(HttpStatusCode.NotFound);
        // A bad body for someone else's person is still 404: nothing tells the intruder the id exists.
        await (await http.PutJsonAsync($"{Url}/{victim.OwnerId}", new { frequency = "hourly" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await http.PutJsonAsync($"{Url}/{Guid.NewGuid()}", new { frequency = "daily" })).AssertProblemAsync(HttpStatusCode.NotFound);
        var list = await (await http.GetAsync(Url)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(victim.OwnerId.ToString(), list, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(victim.OwnerEmail, list, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Fingerprint(await RowsAsync(victim)));
        Assert.Empty(await RowsAsync(intruder));

        // CX managers and everyone below: 403; without a key: 401.
        using var cx = app.WithKey(await app.NewApiKeyAsync(victim.Id, OtklikRole.CxManager));
        Assert.Equal(HttpStatusCode.Forbidden, (await cx.GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await cx.PutJsonAsync($"{Url}/{victim.OwnerId}", new { frequency = "off" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(Url)).StatusCode);
        Assert.Equal(before, Fingerprint(await RowsAsync(victim)));
    }

    [Fact]
    public async Task FirstPutsAtOnce_AllSucceed_WithOneRow()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var person = await NewUserAsync(owner, OtklikRole.CxManager);
        string[] frequencies = ["daily", "weekly", "monthly", "daily", "weekly"];

        var responses = await Task.WhenAll(frequencies.Select(f => owner.PutJsonAsync($"{Url}/{person.Id}", new { frequency = f })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var row = Assert.Single(await RowsAsync(org));
        Assert.Contains(DigestSubscriptionsApi.Name(row.Frequency), frequencies);
    }
}

public sealed class DigestSubscriptionsApiSqliteTests(AlertsSqliteApp app) : DigestSubscriptionsApiTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class DigestSubscriptionsApiPostgresTests(AlertsPostgresApp app) : DigestSubscriptionsApiTests(app), IClassFixture<AlertsPostgresApp>;
