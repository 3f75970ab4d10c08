using Otklik.Core.Reports;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Digests;

/// <summary>A person's choice of digest e-mail: how often and to which address (null: their account e-mail).</summary>
public sealed class DigestSubscription : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public DigestFrequency Frequency { get; set; }
    public string? Email { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One digest of one period for one person. The row is written before the e-mail goes out (its unique key is the claim, so
/// two nodes never both send a period); <see cref="SentAt"/> is set after the SMTP server accepted it. A failed send clears
/// <see cref="ClaimedAt"/> and keeps the <see cref="Error"/>, so the next round tries again.
/// </summary>
public sealed class DigestDelivery : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public DigestFrequency Frequency { get; set; }
    public DateOnly PeriodStart { get; set; }
    /// <summary>Last day of the period (included).</summary>
    public DateOnly PeriodEnd { get; set; }
    public string Email { get; set; } = "";
    /// <summary>When a node took the send on; null when nobody holds it (new failure, waiting for the next round).</summary>
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
}
