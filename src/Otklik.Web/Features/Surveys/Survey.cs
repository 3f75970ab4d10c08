using Otklik.Web.Features.Reasons;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Surveys;

/// <summary>The scale of a survey's key question.</summary>
public enum KeyQuestionKind
{
    /// <summary>"How likely are you to recommend us?" 0..10.</summary>
    Nps = 0,
    /// <summary>"How satisfied are you?" 1..5.</summary>
    Csat = 1,
}

/// <summary>How a response reached us. Stored as text.</summary>
public enum SurveyChannel
{
    /// <summary>The public page, opened from a link or a QR code (including invitation links).</summary>
    Link = 0,
    /// <summary>The public page on a kiosk at the location.</summary>
    Kiosk = 1,
    /// <summary>A member of staff asked the customer and typed the answers (or the refusal).</summary>
    Interviewer = 2,
}

/// <summary>
/// A survey of an organization: one key question (NPS or CSAT) and factor questions on a 1..5 scale, each tied to a reason
/// of the reason tree or to a SERVQUAL dimension; it runs at one or many locations within an optional window.
/// </summary>
public sealed class Survey : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    /// <summary>URL-safe, globally unique; the public page is /s/{slug}/{locationSlug} (the id works too).</summary>
    public required string Slug { get; set; }
    public KeyQuestionKind KeyKind { get; set; }
    public required string KeyTextRu { get; set; }
    public required string KeyTextEn { get; set; }
    /// <summary>Paused surveys keep their results but take no answers.</summary>
    public bool Active { get; set; } = true;
    /// <summary>Takes answers from this moment (inclusive); null: from creation.</summary>
    public DateTimeOffset? StartsAt { get; set; }
    /// <summary>Takes answers until this moment (exclusive); null: open-ended.</summary>
    public DateTimeOffset? EndsAt { get; set; }
    /// <summary>How long after the visit an invitation is sent (12..72 hours).</summary>
    public int InvitationDelayHours { get; set; } = 24;
    /// <summary>A webhook channel that receives invitations for customers with only a phone number (an SMS gateway).</summary>
    public Guid? InvitationChannelId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public List<SurveyQuestion> Questions { get; set; } = [];
    public List<SurveyLocation> Locations { get; set; } = [];

    /// <summary>The key question in the given language ("ru" or "en"), falling back to the other one.</summary>
    public string KeyTextIn(string language) => SurveyTexts.In(language, KeyTextRu, KeyTextEn);

    /// <summary>Answers are taken now: active and inside the window.</summary>
    public bool IsOpenAt(DateTimeOffset now) => Active && (StartsAt is null || now >= StartsAt) && (EndsAt is null || now < EndsAt);

    /// <summary>The key question's range.</summary>
    public (int Min, int Max) KeyRange => KeyKind == KeyQuestionKind.Nps ? (0, 10) : (1, 5);
}

/// <summary>A factor question, answered 1..5.</summary>
public sealed class SurveyQuestion : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid SurveyId { get; set; }
    public int SortOrder { get; set; }
    public required string TextRu { get; set; }
    public required string TextEn { get; set; }
    /// <summary>The reason-tree node the factor measures (either this or <see cref="Dimension"/>, or both).</summary>
    public Guid? ReasonId { get; set; }
    public Servqual? Dimension { get; set; }

    public string TextIn(string language) => SurveyTexts.In(language, TextRu, TextEn);
}

/// <summary>A location where the survey runs.</summary>
public sealed class SurveyLocation : ITenantOwned
{
    public Guid SurveyId { get; set; }
    public Guid LocationId { get; set; }
    public Guid OrganizationId { get; set; }
}

/// <summary>
/// One customer's answers, or their refusal (<see cref="Declined"/>: "did not want to answer", counted, with no scores).
/// </summary>
public sealed class SurveyResponse : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid SurveyId { get; set; }
    public SurveyChannel Channel { get; set; }
    public bool Declined { get; set; }
    /// <summary>The key question's score; null when declined.</summary>
    public int? KeyScore { get; set; }
    public string? Comment { get; set; }
    /// <summary>The interviewer (a signed-in user), for the interviewer channel.</summary>
    public Guid? InterviewerUserId { get; set; }
    /// <summary>The invitation whose link was used, if any.</summary>
    public Guid? InvitationId { get; set; }
    /// <summary>A keyed hash of the browser's user agent, to spot floods (public page only).</summary>
    public string? UserAgentHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public List<SurveyAnswer> Answers { get; set; } = [];
}

/// <summary>A factor question's score, 1..5. Skipped questions have no row.</summary>
public sealed class SurveyAnswer : ITenantOwned
{
    public Guid ResponseId { get; set; }
    public Guid QuestionId { get; set; }
    public Guid OrganizationId { get; set; }
    public int Score { get; set; }
}

/// <summary>
/// "Tell us how it went": a one-time link sent <see cref="Survey.InvitationDelayHours"/> after a visit by e-mail or
/// through the survey's webhook channel. The customer's contact comes from the caller (a CRM or POS that has consent).
/// </summary>
public sealed class SurveyInvitation : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid SurveyId { get; set; }
    public string? ContactEmail { get; set; }
    public string? ContactPhone { get; set; }
    public DateTimeOffset VisitedAt { get; set; }
    /// <summary>When the link goes out: the visit plus the survey's delay.</summary>
    public DateTimeOffset DueAt { get; set; }
    /// <summary>A random URL-safe token; the link is /s/{survey}/{location}?i={token}.</summary>
    public required string Token { get; set; }
    /// <summary>The site address the link starts with.</summary>
    public required string LinkBase { get; set; }
    /// <summary>When the message was handed to the outbox (once).</summary>
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>The outbox row that carries the message.</summary>
    public Guid? DeliveryId { get; set; }
    /// <summary>Set when the link was used; a used link answers no more.</summary>
    public DateTimeOffset? RespondedAt { get; set; }
    /// <summary>Not sent: the survey closed before the invitation was due, or there was nothing to send it through.</summary>
    public string? SkippedReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal static class SurveyTexts
{
    public static string In(string language, string ru, string en) =>
        language == "en" ? (string.IsNullOrWhiteSpace(en) ? ru : en) : (string.IsNullOrWhiteSpace(ru) ? en : ru);
}
