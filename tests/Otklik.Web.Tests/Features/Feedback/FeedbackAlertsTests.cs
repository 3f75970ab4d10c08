using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Live;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Feedback;

/// <summary>A complaint from the QR page or a kiosk raises the same live alert as a red press, and escalates the same way.</summary>
public abstract class FeedbackAlertsTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;

    /// <summary>Alerts besides the one the seed's own kiosk complaint raised.</summary>
    private Task<List<Alert>> AlertsAsync(Seed seed) =>
        app.WithDbAsync(db => db.Alerts.Where(a => a.FeedbackId != seed.Feedback.Id).OrderBy(a => a.RaisedAt).ToListAsync(), seed.Org.Id);

    private static async Task<FeedbackCreated> PostAsync(HttpClient http, Guid locationId, string channel, string sentiment, string? text) =>
        await (await http.PostJsonAsync("/api/v1/feedback", new { locationId, channel, sentiment, text })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);

    [Fact]
    public async Task AKioskComplaint_RaisesAnAlert_PublishesIt_AndEscalatesLikeARedPress()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        await (await owner.PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings", new
        {
            escalation = new object[] { new { userId = seed.Org.OwnerId, delayMinutes = 5 } },
        })).ReadAsync<AlertSettingsDto>();
        var raised = new ConcurrentQueue<AlertRaised>();
        using var _ = app.Services.GetRequiredService<LiveNotifier>().OnAlertRaised(r => { if (r.OrganizationId == seed.Org.Id) raised.Enqueue(r); return Task.CompletedTask; });

        var created = await PostAsync(owner, seed.Location.Id, "Kiosk", "Negative", "Rude cashier, cold coffee");

        var alert = Assert.Single(await AlertsAsync(seed));
        Assert.Equal((AlertKind.NegativeFeedback, (Guid?)created.Id, seed.Location.Id), (alert.Kind, alert.FeedbackId, alert.LocationId));
        Assert.Contains("Rude cashier, cold coffee", alert.Title, StringComparison.Ordinal);
        var published = Assert.Single(raised);
        Assert.Equal((alert.Id, "NegativeFeedback"), (published.AlertId, published.Kind));
        var open = await (await owner.GetAsync("/api/v1/alerts?status=open")).ReadAsync<Page<AlertDto>>();
        Assert.Equal(alert.Id, Assert.Single(open.Items).Id);

        var worker = app.Services.GetRequiredService<EscalationWorker>();
        fixture.Time.Advance(TimeSpan.FromMinutes(4));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, Assert.Single(await AlertsAsync(seed)).EscalationLevel);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, Assert.Single(await AlertsAsync(seed)).EscalationLevel);
        var escalation = await app.WithDbAsync(db => db.NotificationDeliveries.SingleAsync(d => d.AlertId == alert.Id && d.Event == "alert.escalated"), seed.Org.Id);
        Assert.Equal(seed.Org.OwnerEmail, escalation.Address);
    }

    [Fact]
    public async Task AComplaintFromTheQrPage_RaisesAnAlert_PraiseAndOtherChannelsDoNot()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();

        await PostAsync(owner, seed.Location.Id, "Kiosk", "Positive", "Lovely");
        await PostAsync(owner, seed.Location.Id, "CallCentre", "Negative", "Phoned to complain");
        var complaint = await PostAsync(owner, seed.Location.Id, "QrPage", "Negative", null);

        var alert = Assert.Single(await AlertsAsync(seed));
        Assert.Equal((AlertKind.NegativeFeedback, (Guid?)complaint.Id), (alert.Kind, alert.FeedbackId));
        Assert.Equal("Жалоба клиента", alert.Title);
    }

    [Fact]
    public async Task TurnedOff_AComplaintRaisesNoAlert()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var settings = await (await owner.PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings", new { negativeFeedbackEnabled = false }))
            .ReadAsync<AlertSettingsDto>();

        await PostAsync(owner, seed.Location.Id, "Kiosk", "Negative", "Cold");

        Assert.False(settings.NegativeFeedbackEnabled);
        Assert.Empty(await AlertsAsync(seed));
        Assert.Single(await app.WithDbAsync(db => db.Feedback.Where(f => f.Channel == FeedbackChannel.Kiosk).ToListAsync(), seed.Org.Id));
    }
}

public sealed class FeedbackAlertsSqliteTests(AlertsSqliteApp app) : FeedbackAlertsTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class FeedbackAlertsPostgresTests(AlertsPostgresApp app) : FeedbackAlertsTests(app), IClassFixture<AlertsPostgresApp>;
