using Otklik.Web.Features.Ingestion;
using Otklik.Web.Features.Live;

namespace Otklik.Web.Features.Alerts;

public static class AlertsSetup
{
    /// <summary>Alerts from presses, rules and device health; escalation; deliveries through Telegram, webhooks and e-mail.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddScoped<AlertRaiser>();
        services.AddScoped<IPressCommitHook, AlertPressHook>();
        services.AddScoped<IAlertInbox, AlertInbox>();
        services.AddSingleton<DeliverySignal>();
        services.AddHostedService<AlertPublisher>();
        return services;
    }
}
