namespace Otklik.Web.Features.Organizations;

/// <summary>A tenant: one company with its locations, people and devices.</summary>
public sealed class Organization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>IANA time zone id, e.g. "Europe/Moscow".</summary>
    public string TimeZone { get; set; } = "Europe/Moscow";
    /// <summary>Default UI and message language: "ru" or "en".</summary>
    public string Language { get; set; } = "ru";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The consent text customers tick before leaving a contact; null: Otklik's default text (version 0).</summary>
    public string? FeedbackConsentText { get; set; }
    /// <summary>Raised whenever <see cref="FeedbackConsentText"/> changes; stored with each consent.</summary>
    public int FeedbackConsentVersion { get; set; }
    /// <summary>
    /// "Review gating": offer the maps review links only to customers who praised. Off by default, because some maps
    /// services forbid asking only happy customers for reviews.
    /// </summary>
    public bool ReviewLinksOnlyAfterPraise { get; set; }
    /// <summary>Seconds without a touch after which the kiosk goes back to its first screen; null: Otklik:Feedback:KioskResetSeconds.</summary>
    public int? KioskResetSeconds { get; set; }
    /// <summary>
    /// Owners and CX managers must sign in with a second factor (TOTP): one without an authenticator sets it up right
    /// after the password, before any other page. On for new organizations.
    /// </summary>
    public bool RequireTwoFactorForAdmins { get; set; } = true;

    /// <summary>The roles the two-factor requirement applies to.</summary>
    public static bool TwoFactorApplies(Tenancy.OtklikRole role) => role is Tenancy.OtklikRole.Owner or Tenancy.OtklikRole.CxManager;
}
