using Otklik.Core.Cases;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

/// <summary>
/// A complaint being handled: opened by negative feedback (any channel) or, where the location asks for it, by a red press.
/// Status changes only through <see cref="CaseWorkflow"/>; <see cref="Version"/> makes every change conditional, so two
/// managers cannot both move the same case.
/// </summary>
public sealed class Case : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid? FeedbackId { get; set; }
    public Guid? PressId { get; set; }
    /// <summary>The employee involved (from the press or the shift), if known.</summary>
    public Guid? StaffMemberId { get; set; }
    public required string Summary { get; set; }
    public CaseStatus Status { get; set; }
    public CaseQualification? Qualification { get; set; }
    /// <summary>A node of the reason tree: what really caused it (may differ from what the customer chose).</summary>
    public Guid? RootCauseId { get; set; }
    public Guid? AssigneeUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? FirstResponseAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? Resolution { get; set; }
    /// <summary>Set once when the overdue alert was raised; a case escalates at most once.</summary>
    public DateTimeOffset? OverdueAlertedAt { get; set; }
    /// <summary>Unguessable token of the follow-up question link (/c/{token}); null when none was sent.</summary>
    public string? FollowUpToken { get; set; }
    public bool? FollowUpSolved { get; set; }
    public DateTimeOffset? FollowUpAnsweredAt { get; set; }
    /// <summary>Raised by every change; updates are conditional on it.</summary>
    public int Version { get; set; }

    /// <summary>
    /// A bad-faith complaint ("consumer terrorism"): metrics of staff must leave it out. Use
    /// <see cref="CaseQueries.CountingForStaff"/> in queries.
    /// </summary>
    public bool ExcludedFromStaffMetrics => CaseQualifications.ExcludedFromStaffMetrics(Qualification);
}

public enum CaseEventKind
{
    Created,
    StatusChanged,
    Qualified,
    Assigned,
    RootCauseSet,
    Note,
    Call,
    MessageSent,
    Compensation,
    SharedWithStaff,
    StaffConfirmed,
    FollowUpAnswered,
}

public enum CompensationKind
{
    Material,
    Goodwill,
}

public enum MessageChannel
{
    Email,
    Sms,
    WhatsApp,
}

/// <summary>One line of a case's timeline.</summary>
public sealed class CaseEvent : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid CaseId { get; set; }
    public CaseEventKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ByUserId { get; set; }
    /// <summary>Who did it, as shown (user name, "API key …", "Otklik", an employee's name).</summary>
    public string? By { get; set; }
    public string? Text { get; set; }
    public CaseStatus? FromStatus { get; set; }
    public CaseStatus? ToStatus { get; set; }
    public CompensationKind? CompensationKind { get; set; }
    public decimal? Amount { get; set; }
    public MessageChannel? Channel { get; set; }
    public Guid? DeliveryId { get; set; }
    public Guid? StaffMemberId { get; set; }
}

/// <summary>A case shown to an employee, with the talk the manager had and whether the employee confirmed it.</summary>
public sealed class CaseShare : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid CaseId { get; set; }
    public Guid StaffMemberId { get; set; }
    /// <summary>What the manager and the employee agreed on.</summary>
    public string? Agreement { get; set; }
    public DateTimeOffset SharedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
}

/// <summary>An employee's personal, unguessable link to their phone page of shared cases (/s/{token}).</summary>
public sealed class StaffLink : ILocationOwned
{
    public Guid StaffMemberId { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public required string Token { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An organization's case settings: SLA per qualification (minutes; null: no deadline) and the outbound messaging webhook.</summary>
public sealed class CaseSettings : ITenantOwned
{
    public Guid OrganizationId { get; set; }
    public int? UnqualifiedMinutes { get; set; } = 4 * 60;
    public int? NotWorthAttentionMinutes { get; set; }
    public int? NeedsReactionMinutes { get; set; } = 24 * 60;
    public int? ConsumerTerrorismMinutes { get; set; } = 72 * 60;
    /// <summary>Where SMS and WhatsApp answers are posted (a gateway of the organization's choice), signed like alert webhooks.</summary>
    public string? MessagingWebhookUrl { get; set; }
    public string? MessagingWebhookSecret { get; set; }

    public SlaTable Sla => new(Span(UnqualifiedMinutes), Span(NotWorthAttentionMinutes), Span(NeedsReactionMinutes), Span(ConsumerTerrorismMinutes));

    private static TimeSpan? Span(int? minutes) => minutes is { } m ? TimeSpan.FromMinutes(m) : null;
}

/// <summary>An organization's own version of a response template; without one the shipped default applies.</summary>
public sealed class ResponseTemplate : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public ResponseKind Kind { get; set; }
    public required string Language { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Query helpers for metrics over cases.</summary>
public static class CaseQueries
{
    /// <summary>
    /// Cases that count in staff metrics: everything except consumer terrorism. Feedback or presses behind excluded cases
    /// can be left out with <see cref="ExcludedFeedbackIds"/> and <see cref="ExcludedPressIds"/>.
    /// </summary>
    public static IQueryable<Case> CountingForStaff(this IQueryable<Case> cases) =>
        cases.Where(c => c.Qualification == null || c.Qualification != CaseQualification.ConsumerTerrorism);

    /// <summary>Ids of feedback whose case was qualified as consumer terrorism.</summary>
    public static IQueryable<Guid> ExcludedFeedbackIds(this IQueryable<Case> cases) =>
        cases.Where(c => c.Qualification == CaseQualification.ConsumerTerrorism && c.FeedbackId != null).Select(c => c.FeedbackId!.Value);

    /// <summary>Ids of red presses whose case was qualified as consumer terrorism.</summary>
    public static IQueryable<Guid> ExcludedPressIds(this IQueryable<Case> cases) =>
        cases.Where(c => c.Qualification == CaseQualification.ConsumerTerrorism && c.PressId != null).Select(c => c.PressId!.Value);

    /// <summary>Open cases past their deadline at <paramref name="now"/>.</summary>
    public static IQueryable<Case> Overdue(this IQueryable<Case> cases, DateTimeOffset now) =>
        cases.Where(c => (c.Status == CaseStatus.New || c.Status == CaseStatus.Qualified || c.Status == CaseStatus.InProgress)
            && c.DueAt != null && c.DueAt < now);
}
