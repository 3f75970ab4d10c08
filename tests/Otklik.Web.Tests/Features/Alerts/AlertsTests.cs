using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Live;
using Otklik.Web.Features.Locations;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Alerts;

public abstract class AlertsTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;
    private AlertFakes Fakes => fixture.Fakes;
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private TestDevice DeviceOf(Seed seed) => new(app, seed.Device.Device.Id, seed.Device.Token);

    /// <summary>A press at the app's (fake) now, or minutes before it.</summary>
    private async Task PressAsync(TestDevice device, string type, double minutesAgo = 0) =>
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), type, Now.AddMinutes(-minutesAgo)))).EnsureSuccessStatusCode();

    private Task<List<Alert>> AlertsAsync(Seed seed, AlertKind? kind = null) =>
        app.WithDbAsync(db => db.Alerts.Where(a => kind == null || a.Kind == kind).OrderBy(a => a.RaisedAt).ToListAsync(), seed.Org.Id);

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("Timed out waiting for " + what);
    }

    private async Task<ChannelCreated> AddChannelAsync(Seed seed, object body) =>
        await (await seed.Org.Owner().PostJsonAsync($"/api/v1/locations/{seed.Location.Id}/notification-channels", body)).ReadAsync<ChannelCreated>(HttpStatusCode.Created);

    [Fact]
    public async Task ARedPress_RaisesOneAlert_AndPublishesAlertRaised()
    {
        var seed = await Seed.CreateAsync(app);
        var raised = new ConcurrentQueue<AlertRaised>();
        using var _ = app.Services.GetRequiredService<LiveNotifier>().OnAlertRaised(r => { if (r.OrganizationId == seed.Org.Id) raised.Enqueue(r); return Task.CompletedTask; });
        var device = DeviceOf(seed);
        var id = Guid.NewGuid();

        (await device.PostAsync(TestDevice.Event(id, "red", Now))).EnsureSuccessStatusCode();
        (await device.PostAsync(TestDevice.Event(id, "red", Now))).EnsureSuccessStatusCode();       // the same press again
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), "red", Now.AddSeconds(1)))).EnsureSuccessStatusCode(); // suppressed repeat
        await PressAsync(device, "green", minutesAgo: -0.5);

        var alert = Assert.Single(await AlertsAsync(seed));
        var press = await app.WithDbAsync(db => db.ButtonPresses.SingleAsync(p => p.EventId == id), seed.Org.Id);
        Assert.Equal((AlertKind.RedPress, press.Id, seed.Location.Id, seed.Staff.Id, seed.Device.Device.Id), (alert.Kind, alert.PressId, alert.LocationId, alert.StaffMemberId, alert.DeviceId));
        var published = await EventuallyAsync(() => Task.FromResult(raised.FirstOrDefault()), "AlertRaised");
        Assert.Equal((alert.Id, "RedPress", "Anna", "Button"), (published.AlertId, published.Kind, published.StaffName, published.DeviceName));
        Assert.Single(raised);

        var listed = await (await seed.Org.Owner().GetAsync($"/api/v1/alerts?locationId={seed.Location.Id}")).ReadAsync<Page<AlertDto>>();
        Assert.Equal(alert.Id, Assert.Single(listed.Items).Id);
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Otklik.Web.Tenancy.TenantContext>().SetOrganization(seed.Org.Id);
        var open = await scope.ServiceProvider.GetRequiredService<IAlertInbox>().OpenAsync(seed.Location.Id, CancellationToken.None);
        Assert.Equal(alert.Id, Assert.Single(open).Id);
    }

    [Fact]
    public async Task Acknowledge_PublishesOnce_SecondIsANoOp_AnotherOrganizationGets404()
    {
        var seed = await Seed.CreateAsync(app);
        var intruder = await app.NewOrganizationAsync();
        var acks = new ConcurrentQueue<AlertAcknowledged>();
        using var _ = app.Services.GetRequiredService<LiveNotifier>().OnAlertAcknowledged(a => { if (a.OrganizationId == seed.Org.Id) acks.Enqueue(a); return Task.CompletedTask; });
        await PressAsync(DeviceOf(seed), "red");
        var alert = Assert.Single(await AlertsAsync(seed));
        using var owner = seed.Org.Owner();

        await (await intruder.Owner().PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await intruder.Owner().GetAsync($"/api/v1/alerts/{alert.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var viewer = app.WithKey(seed.ApiKey.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).StatusCode);
        Assert.Null(Assert.Single(await AlertsAsync(seed)).AcknowledgedAt);

        var first = await (await owner.PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).ReadAsync<AlertDto>();
        var second = await (await owner.PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).ReadAsync<AlertDto>();

        Assert.NotNull(first.AcknowledgedAt);
        Assert.Equal(first.AcknowledgedAt, second.AcknowledgedAt);
        var ack = Assert.Single(acks);
        Assert.Equal((alert.Id, seed.Location.Id), (ack.AlertId, ack.LocationId));
        var open = await (await owner.GetAsync("/api/v1/alerts?status=open")).ReadAsync<Page<AlertDto>>();
        Assert.Empty(open.Items);
    }

    private async Task<Seed> SeedWithChainAsync(int firstDelay, int secondDelay)
    {
        var seed = await Seed.CreateAsync(app);
        var put = await seed.Org.Owner().PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings", new
        {
            escalation = new object[] { new { userId = seed.Org.OwnerId, delayMinutes = firstDelay }, new { userId = seed.User.Id, delayMinutes = secondDelay } },
        });
        await put.ReadAsync<AlertSettingsDto>();
        return seed;
    }

    [Fact]
    public async Task AnUnacknowledgedAlert_EscalatesStepByStep_OnFakeTime()
    {
        var seed = await SeedWithChainAsync(5, 10);
        var worker = app.Services.GetRequiredService<EscalationWorker>();
        await PressAsync(DeviceOf(seed), "red");
        async Task<Alert> AlertAsync() => Assert.Single(await AlertsAsync(seed));
        Assert.Equal(0, (await AlertAsync()).EscalationLevel);

        fixture.Time.Advance(TimeSpan.FromMinutes(4));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, (await AlertAsync()).EscalationLevel);

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, (await AlertAsync()).EscalationLevel);

        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await worker.RunOnceAsync(CancellationToken.None);
        var alert = await AlertAsync();
        Assert.Equal((2, (DateTimeOffset?)null), (alert.EscalationLevel, alert.NextEscalationAt));

        var escalations = await app.WithDbAsync(db => db.NotificationDeliveries.Where(d => d.AlertId == alert.Id && d.Event == "alert.escalated").OrderBy(d => d.Level).ToListAsync(), seed.Org.Id);
        Assert.Equal(new[] { (1, seed.Org.OwnerEmail), (2, seed.User.Email) }, escalations.Select(d => (d.Level, d.Address!)).ToArray());
    }

    [Fact]
    public async Task TheBackgroundWorker_EscalatesWhenFakeTimePasses()
    {
        var seed = await SeedWithChainAsync(5, 10);
        await PressAsync(DeviceOf(seed), "red");

        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        var alert = await EventuallyAsync(async () =>
        {
            var a = Assert.Single(await AlertsAsync(seed));
            if (a.EscalationLevel == 0) fixture.Time.Advance(TimeSpan.FromSeconds(1));
            return a.EscalationLevel > 0 ? a : null;
        }, "the escalation worker");
        Assert.Equal(1, alert.EscalationLevel);
    }

    [Fact]
    public async Task AnAcknowledgedAlert_DoesNotEscalate()
    {
        var seed = await SeedWithChainAsync(5, 10);
        await PressAsync(DeviceOf(seed), "red");
        var alert = Assert.Single(await AlertsAsync(seed));
        (await seed.Org.Owner().PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).EnsureSuccessStatusCode();

        fixture.Time.Advance(TimeSpan.FromMinutes(20));
        await app.Services.GetRequiredService<EscalationWorker>().RunOnceAsync(CancellationToken.None);

        alert = Assert.Single(await AlertsAsync(seed));
        Assert.Equal((0, (DateTimeOffset?)null), (alert.EscalationLevel, alert.NextEscalationAt));
        Assert.False(await app.WithDbAsync(db => db.NotificationDeliveries.AnyAsync(d => d.AlertId == alert.Id && d.Event == "alert.escalated"), seed.Org.Id));
    }

    [Fact]
    public async Task TwoEscalationWorkers_OnTheSameDueAlert_NotifyOnce()
    {
        var seed = await SeedWithChainAsync(5, 10);
        await PressAsync(DeviceOf(seed), "red");
        var alert = Assert.Single(await AlertsAsync(seed));
        var nodes = Enumerable.Range(0, 2).Select(_ => ActivatorUtilities.CreateInstance<EscalationWorker>(app.Services)).ToList();

        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        var sent = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.RunOnceAsync(CancellationToken.None))));

        Assert.True(sent.Sum() <= 1, $"Both nodes claimed: {string.Join(",", sent)}");
        var escalations = await app.WithDbAsync(db => db.NotificationDeliveries.Where(d => d.AlertId == alert.Id && d.Event == "alert.escalated").ToListAsync(), seed.Org.Id);
        Assert.Equal(1, Assert.Single(escalations).Level);
        Assert.Equal(1, Assert.Single(await AlertsAsync(seed)).EscalationLevel);
    }

    [Fact]
    public async Task RedShareRule_FiresOnceAtTheBoundary()
    {
        var seed = await Seed.CreateAsync(app);
        (await seed.Org.Owner().PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings",
            new { redPressEnabled = false, redShareThresholdPercent = 50, redShareWindowMinutes = 15, redShareMinPresses = 4 })).EnsureSuccessStatusCode();
        var rules = app.Services.GetRequiredService<RulesWorker>();
        var device = DeviceOf(seed);
        await PressAsync(device, "green", minutesAgo: 20); // outside the window
        await PressAsync(device, "red", minutesAgo: 3);
        await PressAsync(device, "red", minutesAgo: 2);
        await PressAsync(device, "green", minutesAgo: 1);

        await rules.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await AlertsAsync(seed, AlertKind.RedShare)); // 2 of 3: too few presses

        await PressAsync(device, "green");
        await rules.RunOnceAsync(CancellationToken.None);
        var alert = Assert.Single(await AlertsAsync(seed, AlertKind.RedShare)); // 2 of 4 = 50 %

        await PressAsync(device, "red", minutesAgo: -0.2);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await rules.RunOnceAsync(CancellationToken.None);
        Assert.Equal(alert.Id, Assert.Single(await AlertsAsync(seed, AlertKind.RedShare)).Id); // not again while open
        Assert.Empty(await AlertsAsync(seed, AlertKind.RedPress));
    }

    [Fact]
    public async Task DeviceSilent_IsRaisedOnlyInsideOpeningHours()
    {
        var seed = await Seed.CreateAsync(app);
        var now = Now.UtcDateTime;
        static List<OpeningHours> Daily(DateTime open, DateTime close) =>
            Enum.GetValues<DayOfWeek>().Select(d => new OpeningHours(d, open.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), close.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture))).ToList();
        await app.WithDbAsync(async db =>
        {
            var open = await db.Locations.SingleAsync(l => l.Id == seed.Location.Id);
            open.TimeZone = "UTC";
            open.OpeningHours = Daily(now.AddHours(-3), now.AddHours(1));
            var closed = await db.Locations.SingleAsync(l => l.Id == seed.OtherLocation.Id);
            closed.TimeZone = "UTC";
            closed.OpeningHours = Daily(now.AddHours(1), now.AddHours(5));
            await db.Devices.ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSeenAt, Now.AddHours(-2)));
            await db.SaveChangesAsync();
        }, seed.Org.Id);

        await app.Services.GetRequiredService<RulesWorker>().RunOnceAsync(CancellationToken.None);

        var alert = Assert.Single(await AlertsAsync(seed, AlertKind.DeviceSilent));
        Assert.Equal((seed.Location.Id, seed.Device.Device.Id), (alert.LocationId, alert.DeviceId));

        // The device speaks again: the alert resolves.
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await PressAsync(DeviceOf(seed), "green");
        await app.Services.GetRequiredService<RulesWorker>().RunOnceAsync(CancellationToken.None);
        Assert.NotNull(Assert.Single(await AlertsAsync(seed, AlertKind.DeviceSilent)).ResolvedAt);
    }

    [Fact]
    public async Task Telegram_ReceivesTheRedPress_WithLocationDeviceAndStaff()
    {
        var seed = await Seed.CreateAsync(app);
        var chat = Random.Shared.NextInt64(1_000_000, 9_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = await AddChannelAsync(seed, new { name = "Shift chat", kind = "Telegram", target = chat, botToken = "123456:TEST-token" });
        Assert.Null(created.Secret);
        Assert.True(created.Channel.HasSecret);

        await PressAsync(DeviceOf(seed), "red");

        var message = await EventuallyAsync(() => Task.FromResult(Fakes.Telegram.FirstOrDefault(m => m.ChatId == chat)), "the Telegram message");
        Assert.Equal("123456:TEST-token", message.Token);
        Assert.Contains("Main", message.Text, StringComparison.Ordinal);
        Assert.Contains("Button", message.Text, StringComparison.Ordinal);
        Assert.Contains("Anna", message.Text, StringComparison.Ordinal);
        var body = await (await seed.Org.Owner().GetAsync($"/api/v1/locations/{seed.Location.Id}/notification-channels")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("TEST-token", body, StringComparison.Ordinal);
        // Encrypted at rest: the stored value is a Data Protection payload, not the token.
        var stored = await app.WithDbAsync(db => db.NotificationChannels.Where(c => c.Id == created.Channel.Id).Select(c => c.Secret).SingleAsync(), seed.Org.Id);
        Assert.StartsWith(Otklik.Web.Features.Security.SecretBox.Prefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("TEST-token", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_IsSignedPerStandardWebhooks_AndATamperedBodyFailsVerification()
    {
        var seed = await Seed.CreateAsync(app);
        var name = Guid.NewGuid().ToString("N");
        var created = await AddChannelAsync(seed, new { name = "CRM", kind = "Webhook", target = $"{Fakes.BaseUrl}/hooks/{name}" });
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Fakes.WebhookSecrets[name] = created.Secret!;
        var stored = await app.WithDbAsync(db => db.NotificationChannels.Where(c => c.Id == created.Channel.Id).Select(c => c.Secret).SingleAsync(), seed.Org.Id);
        Assert.DoesNotContain(created.Secret!["whsec_".Length..], stored, StringComparison.Ordinal);

        await PressAsync(DeviceOf(seed), "red");

        var hook = await EventuallyAsync(() => Task.FromResult(Fakes.Webhooks.FirstOrDefault(w => w.Name == name)), "the webhook");
        Assert.True(hook.SignatureValid);
        var data = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data");
        Assert.Equal(("RedPress", "Anna"), (data.GetProperty("kind").GetString(), data.GetProperty("staff").GetString()));

        // A receiver recomputing the signature rejects the same headers with another body.
        var id = hook.Id;
        var ts = Now.ToUnixTimeSeconds();
        var signature = WebhookSender.Sign(created.Secret!, id, ts, hook.Body);
        Assert.True(AlertFakes.Verify(created.Secret!, id, ts.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, hook.Body));
        var tampered = hook.Body.Replace("Anna", "Eve", StringComparison.Ordinal);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Fakes.BaseUrl}/hooks/{name}") { Content = new StringContent(tampered, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AWebhookToLoopback_IsRefused_WhenPrivateNetworksAreNotAllowed()
    {
        var seed = await Seed.CreateAsync(app);
        var name = Guid.NewGuid().ToString("N");
        var created = await AddChannelAsync(seed, new { name = "Local", kind = "Webhook", target = $"{Fakes.BaseUrl}/hooks/{name}", notifyOnRaise = false });
        // A node configured as in production, next to the test app's own (which allows loopback for the fakes).
        var strict = new WebhookSender(app.Services.GetRequiredService<IHttpClientFactory>(), Options.Create(new WebhookOptions { AllowPrivateNetworks = false }), fixture.Time, app.Services.GetRequiredService<Otklik.Web.Features.Security.SecretBox>());
        var node = ActivatorUtilities.CreateInstance<DeliveryWorker>(app.Services, new INotificationSender[] { strict }.AsEnumerable());
        var delivery = await app.WithDbAsync(async db =>
            await AlertSettingsApi.QueueTestAsync(db, await db.NotificationChannels.SingleAsync(c => c.Id == created.Channel.Id), Now, CancellationToken.None), seed.Org.Id);

        await node.RunOnceAsync(CancellationToken.None);

        var log = await (await seed.Org.Owner().GetAsync($"/api/v1/notification-channels/{created.Channel.Id}/deliveries")).ReadAsync<List<DeliveryDto>>();
        var entry = Assert.Single(log);
        Assert.Equal((delivery.Id, DeliveryStatus.Failed), (entry.Id, entry.Status));
        Assert.Contains("127.0.0.1", Assert.Single(entry.Log).Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Fakes.Webhooks, w => w.Name == name);

        // The connect-time check holds too, for a name that resolves to loopback after the first check.
        using var client = new HttpClient(NetworkGuard.Handler(allowPrivate: false));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(new Uri(Fakes.BaseUrl), "/hooks/x").ToString().Replace("127.0.0.1", "localhost", StringComparison.Ordinal)));
        Assert.IsType<RefusedAddressException>(e.InnerException);
    }

    [Fact]
    public async Task AFailingChannel_DoesNotStopTelegram_AndIsRetriedWithBackoff()
    {
        var seed = await Seed.CreateAsync(app);
        var broken = await AddChannelAsync(seed, new { name = "Broken", kind = "Webhook", target = $"{Fakes.BaseUrl}/fail" });
        var chat = Random.Shared.NextInt64(1_000_000, 9_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AddChannelAsync(seed, new { name = "Chat", kind = "Telegram", target = chat, botToken = "123456:TEST-token" });

        await PressAsync(DeviceOf(seed), "red");

        await EventuallyAsync(() => Task.FromResult(Fakes.Telegram.FirstOrDefault(m => m.ChatId == chat)), "the Telegram message");
        var failing = await EventuallyAsync(async () =>
        {
            var d = await app.WithDbAsync(db => db.NotificationDeliveries.SingleAsync(x => x.ChannelId == broken.Channel.Id), seed.Org.Id);
            return d.Attempts == 1 && d.LastError is not null ? d : null;
        }, "the first failed attempt");
        Assert.Equal(DeliveryStatus.Pending, failing.Status);
        Assert.Equal(Now.AddSeconds(10), failing.NextAttemptAt, TimeSpan.FromMilliseconds(1));

        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);
        var alert = Assert.Single(await AlertsAsync(seed));
        var log = await (await seed.Org.Owner().GetAsync($"/api/v1/alerts/{alert.Id}/deliveries")).ReadAsync<List<DeliveryDto>>();
        var webhook = log.Single(d => d.ChannelId == broken.Channel.Id);
        Assert.Equal(new[] { 500, 500 }, webhook.Log.Select(a => a.StatusCode ?? 0).ToArray());
        Assert.Equal(DeliveryStatus.Delivered, log.Single(d => d.Kind == ChannelKind.Telegram).Status);
    }

    [Fact]
    public async Task Email_ReachesTheSmtpServer()
    {
        var seed = await Seed.CreateAsync(app);
        var address = $"cx-{Guid.NewGuid():N}@shop.test";
        await AddChannelAsync(seed, new { name = "CX mailbox", kind = "Email", target = address });

        await PressAsync(DeviceOf(seed), "red");

        var mail = await EventuallyAsync(() => Task.FromResult(Fakes.Mail.FirstOrDefault(m => m.To.Mailboxes.Any(x => x.Address == address))), "the e-mail");
        Assert.Contains("Button", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Anna", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal("alerts@otklik.test", mail.From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task Settings_BadInput_Is400AndChangesNothing()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var other = await app.NewOrganizationAsync();

        var bad = await owner.PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings", new
        {
            redShareThresholdPercent = 0,
            escalation = new object[] { new { delayMinutes = 5 }, new { userId = other.OwnerId, delayMinutes = 5 } },
        });

        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorFields());
        var settings = await (await owner.GetAsync($"/api/v1/locations/{seed.Location.Id}/alert-settings")).ReadAsync<AlertSettingsDto>();
        Assert.Equal((50, 0), (settings.RedShareThresholdPercent, settings.Escalation.Count));
        var badChannel = await owner.PostJsonAsync($"/api/v1/locations/{seed.Location.Id}/notification-channels", new { name = "x", kind = "Webhook", target = "not a url" });
        Assert.Contains("target", (await badChannel.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }
}

public sealed class AlertsSqliteTests(AlertsSqliteApp app) : AlertsTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class AlertsPostgresTests(AlertsPostgresApp app) : AlertsTests(app), IClassFixture<AlertsPostgresApp>;
