using System.ComponentModel.DataAnnotations;

namespace Otklik.Web.Features.Alerts;

public sealed class AlertOptions
{
    public const string Section = "Otklik:Alerts";

    /// <summary>How often due escalations are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EscalationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often threshold rules and device health are evaluated.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RulesInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the outbox is polled when nothing woke the delivery worker.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeliveryPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Tries per delivery before it is marked failed.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;
}

public sealed class TelegramOptions
{
    public const string Section = "Otklik:Telegram";

    /// <summary>The Bot API server; a local fake in tests, a self-hosted Bot API server if wanted.</summary>
    [Url]
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";
}

public sealed class WebhookOptions
{
    public const string Section = "Otklik:Webhooks";

    /// <summary>Allows webhooks to loopback, private and link-local addresses (tests, on-premises installs).</summary>
    public bool AllowPrivateNetworks { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class SmtpOptions
{
    public const string Section = "Otklik:Smtp";

    /// <summary>No host: e-mail channels fail with a clear error in the delivery log.</summary>
    public string? Host { get; set; }
    [Range(1, 65535)]
    public int Port { get; set; } = 587;
    public string From { get; set; } = "otklik@localhost";
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>MailKit's SecureSocketOptions: Auto, None, StartTls, StartTlsWhenAvailable, SslOnConnect.</summary>
    public string Security { get; set; } = "Auto";
}
