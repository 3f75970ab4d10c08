using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Core.Alerts;
using Otklik.Web.Data;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

/// <summary>The outcome of one try; <see cref="Permanent"/> failures are not retried (a refused address, a missing setting).</summary>
public sealed record SendResult(bool Ok, int? StatusCode, string? Error, bool Permanent = false)
{
    public static SendResult Success(int? status = null) => new(true, status, null);
    public static SendResult Fail(string error, int? status = null, bool permanent = false) => new(false, status, error, permanent);
}

/// <summary>What a sender needs: the message and, for channel deliveries, the channel with its secret.</summary>
public sealed record OutgoingMessage(NotificationDelivery Delivery, NotificationChannel? Channel);

public interface INotificationSender
{
    ChannelKind Kind { get; }
    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct);
}

/// <summary>
/// Sends what the outbox holds. Each delivery is claimed with a conditional update (so one node sends it), sent in
/// parallel with the others under its own timeout, logged attempt by attempt, and retried with exponential back-off.
/// A channel that fails or hangs delays nobody else.
/// </summary>
public sealed class DeliveryWorker(IServiceScopeFactory scopes, IEnumerable<INotificationSender> senders, IOptions<AlertOptions> options,
    TimeProvider time, DeliverySignal signal, ILogger<DeliveryWorker> log) : BackgroundService
{
    /// <summary>How long a claimed delivery stays with the node that claimed it before another node may try it.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<ChannelKind, INotificationSender> _senders = senders.ToDictionary(s => s.Kind);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOnceAsync(stoppingToken) > 0) { }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var woken = signal.WaitAsync(wait.Token);
                var poll = Task.Delay(options.Value.DeliveryPollInterval, time, wait.Token);
                await Task.WhenAny(woken, poll);
                await wait.CancelAsync();
                await Task.WhenAll(woken, poll).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Sending notifications failed; trying again at the next round");
            }
        }
    }

    /// <summary>Sends every delivery due now; returns how many this node tried.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        List<NotificationDelivery> claimed = [];
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var due = await db.NotificationDeliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt).Take(50).ToListAsync(ct);
            foreach (var d in due)
            {
                var attempts = d.Attempts;
                var won = await db.NotificationDeliveries
                    .Where(x => x.Id == d.Id && x.Status == DeliveryStatus.Pending && x.Attempts == attempts)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Attempts, attempts + 1).SetProperty(x => x.NextAttemptAt, now + Lease), ct);
                if (won != 1) continue;
                d.Attempts = attempts + 1;
                claimed.Add(d);
            }
        }
        await Task.WhenAll(claimed.Select(d => SendOneAsync(d, ct)));
        return claimed.Count;
    }

    private async Task SendOneAsync(NotificationDelivery delivery, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        SendResult result;
        try
        {
            NotificationChannel? channel = null;
            if (delivery.ChannelId is { } channelId)
                channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId, ct);
            else if (delivery.Kind == ChannelKind.Webhook && delivery.Event.StartsWith("case.", StringComparison.Ordinal))
                channel = await Cases.CaseMessaging.WebhookChannelAsync(db, delivery, ct);
            if (delivery.ChannelId is not null && channel is null) result = SendResult.Fail("The channel was deleted.", permanent: true);
            else if (channel is { Enabled: false } && delivery.Event != "test") result = SendResult.Fail("The channel is disabled.", permanent: true);
            else if (!_senders.TryGetValue(delivery.Kind, out var sender)) result = SendResult.Fail($"No sender for {delivery.Kind}.", permanent: true);
            else result = await sender.SendAsync(new OutgoingMessage(delivery, channel), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            result = SendResult.Fail(e.GetBaseException().Message);
        }
        watch.Stop();

        var now = time.GetUtcNow();
        var error = result.Error is { Length: > Limits.Text } tooLong ? tooLong[..Limits.Text] : result.Error;
        db.DeliveryAttempts.Add(new DeliveryAttempt
        {
            OrganizationId = delivery.OrganizationId, LocationId = delivery.LocationId, DeliveryId = delivery.Id, At = started,
            Succeeded = result.Ok, StatusCode = result.StatusCode, Error = error, DurationMs = watch.ElapsedMilliseconds,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        var giveUp = result.Permanent || delivery.Attempts >= options.Value.MaxAttempts;
        var status = result.Ok ? DeliveryStatus.Delivered : giveUp ? DeliveryStatus.Failed : DeliveryStatus.Pending;
        var next = result.Ok || giveUp ? now : now + AlertRules.RetryDelay(delivery.Attempts);
        DateTimeOffset? deliveredAt = result.Ok ? now : null;
        await db.NotificationDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.DeliveredAt, deliveredAt)
            .SetProperty(d => d.LastError, error), CancellationToken.None);
        if (!result.Ok)
            log.LogWarning("Delivery {Delivery} ({Kind}) attempt {Attempt} failed: {Error}", delivery.Id, delivery.Kind, delivery.Attempts, error);
    }
}
