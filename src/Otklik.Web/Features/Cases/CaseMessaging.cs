using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;

namespace Otklik.Web.Features.Cases;

/// <summary>SMS and WhatsApp answers go out through the organization's messaging webhook, signed like alert webhooks.</summary>
public static class CaseMessaging
{
    /// <summary>A transient channel carrying the organization's messaging webhook URL and secret, or null when none is set.</summary>
    public static async Task<NotificationChannel?> WebhookChannelAsync(OtklikDb db, NotificationDelivery delivery, CancellationToken ct)
    {
        var settings = await db.CaseSettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == delivery.OrganizationId, ct);
        if (settings?.MessagingWebhookUrl is not { } url) return null;
        return new NotificationChannel
        {
            OrganizationId = delivery.OrganizationId, LocationId = delivery.LocationId, Name = "Customer messages", Kind = ChannelKind.Webhook,
            Target = url, Secret = settings.MessagingWebhookSecret, NotifyOnRaise = false, Enabled = true,
        };
    }
}
