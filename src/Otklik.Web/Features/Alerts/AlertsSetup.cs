using Microsoft.Extensions.Options;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Features.Live;

namespace Otklik.Web.Features.Alerts;

public static class AlertsSetup
{
    /// <summary>Alerts from presses, rules and device health; escalation; deliveries through Telegram, webhooks and e-mail.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddScoped<AlertRaiser>();
        services.AddScoped<IPressCommitHook, AlertPressHook>();
        services.AddScoped<IAlertInbox, AlertInbox>();
        services.AddSingleton<DeliverySignal>();
        services.AddHostedService<AlertPublisher>();

        services.AddHttpClient(TelegramSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => NetworkGuard.Handler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks));
        services.AddSingleton<INotificationSender, TelegramSender>();
        services.AddSingleton<INotificationSender, WebhookSender>();
        services.AddSingleton<INotificationSender, EmailSender>();

        services.AddSingleton<EscalationWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<EscalationWorker>());
        services.AddSingleton<RulesWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RulesWorker>());
        services.AddSingleton<DeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());
        return services;
    }
}
