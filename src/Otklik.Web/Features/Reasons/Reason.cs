using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reasons;

/// <summary>Which kind of feedback a reason explains.</summary>
public enum ReasonKind
{
    /// <summary>Reasons for dissatisfaction.</summary>
    Negative = 0,
    /// <summary>What customers praise.</summary>
    Positive = 1,
}

/// <summary>The five SERVQUAL dimensions of service quality.</summary>
public enum Servqual
{
    Tangibles = 1,
    Reliability = 2,
    Responsiveness = 3,
    Assurance = 4,
    Empathy = 5,
}

/// <summary>
/// A node of an organization's reason tree (2–3 levels). Reasons are archived, never deleted, so that old feedback
/// keeps pointing at a readable reason.
/// </summary>
public sealed class Reason : ITenantOwned
{
    public const int MaxDepth = 3;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid? ParentId { get; set; }
    public ReasonKind Kind { get; set; }
    public required string NameRu { get; set; }
    public required string NameEn { get; set; }
    public Servqual? Dimension { get; set; }
    /// <summary>Who usually answers for it: a position such as "Cashier" or "Shift manager".</summary>
    public string? ResponsibleRole { get; set; }
    /// <summary>Position among its siblings, from 0.</summary>
    public int SortOrder { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool IsArchived => ArchivedAt is not null;

    /// <summary>The name in the given language ("ru" or "en"), falling back to the other one.</summary>
    public string NameIn(string language) =>
        language == "en" ? (string.IsNullOrWhiteSpace(NameEn) ? NameRu : NameEn) : (string.IsNullOrWhiteSpace(NameRu) ? NameEn : NameRu);
}
