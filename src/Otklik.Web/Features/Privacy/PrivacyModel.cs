using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Privacy;

/// <summary>
/// One version of an organization's consent text, kept for as long as any contact stored under it may exist, so a stored
/// consent always names the words the customer agreed to. Version 0 is Otklik's default text in the organization's language.
/// </summary>
public sealed class ConsentTextVersion : ITenantOwned
{
    public Guid OrganizationId { get; set; }
    public int Version { get; set; }
    /// <summary>The text as shown; null means Otklik's default text of that time.</summary>
    public string? Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// How long an organization keeps personal parts of feedback; null keeps them until erased by hand. Past the limit the
/// retention job removes them and keeps the anonymous signal (sentiment, reasons, channel, time), so metrics do not move.
/// </summary>
public sealed class RetentionPolicy : ITenantOwned
{
    public Guid OrganizationId { get; set; }
    /// <summary>Names, phone numbers and e-mail addresses (of feedback and survey invitations).</summary>
    public int? ContactMonths { get; set; }
    /// <summary>Photos and voice notes.</summary>
    public int? AttachmentMonths { get; set; }
    /// <summary>What customers wrote (feedback text, survey comments) and what follows from it (case summaries, timelines, alert titles).</summary>
    public int? FreeTextMonths { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What one retention round did in one organization (only rounds that found something are kept).</summary>
public sealed class RetentionRun : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public DateTimeOffset At { get; set; }
    public int ContactsCleared { get; set; }
    public int AttachmentsDeleted { get; set; }
    public int TextsCleared { get; set; }
    public int SurveyContactsCleared { get; set; }
    public int SurveyCommentsCleared { get; set; }
}
