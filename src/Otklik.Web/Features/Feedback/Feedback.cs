using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Feedback;

/// <summary>Where a piece of feedback came from. Stored as text, so new channels need no migration.</summary>
public enum FeedbackChannel
{
    QrPage = 0,
    Kiosk = 1,
    CallCentre = 2,
    Messenger = 3,
    Email = 4,
    Import = 5,
    Other = 6,
    /// <summary>A mention on a social network, recorded by staff or brought in by an import.</summary>
    SocialNetwork = 7,
    /// <summary>A review on a review site or a maps service.</summary>
    ReviewSite = 8,
    /// <summary>A finding of an internal audit.</summary>
    Audit = 9,
    /// <summary>A mystery shopper's report.</summary>
    MysteryShopping = 10,
}

public enum Sentiment
{
    Negative = -1,
    Neutral = 0,
    Positive = 1,
}

/// <summary>
/// What a customer said about a location through any channel. Contact data is present only when the customer
/// ticked the consent box (<see cref="ContactConsentVersion"/> records which text they agreed to).
/// </summary>
public sealed class Feedback : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public FeedbackChannel Channel { get; set; }
    public Sentiment Sentiment { get; set; }
    public string? Text { get; set; }
    public string? ContactName { get; set; }
    public string? ContactPhone { get; set; }
    public string? ContactEmail { get; set; }
    /// <summary>Version of the organization's consent text the customer agreed to; null: no consent, no contact.</summary>
    public int? ContactConsentVersion { get; set; }
    /// <summary>When the customer gave that consent (through <see cref="Channel"/>); null: no consent.</summary>
    public DateTimeOffset? ContactConsentAt { get; set; }
    /// <summary>The customer allows publishing the text as a testimonial.</summary>
    public bool TestimonialConsent { get; set; }
    /// <summary>A keyed hash of the browser's user agent, to spot floods; never the raw value or the address.</summary>
    public string? UserAgentHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Who recorded it (an operator, an auditor) or where it was found (the URL of a post or review).</summary>
    public string? Author { get; set; }
    /// <summary>The import that created this row; undoing the import deletes every row with this id.</summary>
    public Guid? ImportJobId { get; set; }

    public List<FeedbackReason> Reasons { get; set; } = [];
    public List<FeedbackAttachment> Attachments { get; set; } = [];
}

/// <summary>A reason the customer chose.</summary>
public sealed class FeedbackReason : ITenantOwned
{
    public Guid FeedbackId { get; set; }
    public Guid ReasonId { get; set; }
    public Guid OrganizationId { get; set; }
}

public enum AttachmentKind
{
    Photo = 0,
    Voice = 1,
}

/// <summary>
/// A photo or voice note; the bytes live in an <see cref="IAttachmentStore"/>. Stored only with the customer's consent:
/// <see cref="ConsentVersion"/> and <see cref="ConsentAt"/> record which text they agreed to and when (the channel is the feedback's).
/// </summary>
public sealed class FeedbackAttachment : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid FeedbackId { get; set; }
    public AttachmentKind Kind { get; set; }
    /// <summary>Detected from the bytes, never taken from the file name or the client.</summary>
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string StorageKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Version of the organization's consent text the customer agreed to when attaching it.</summary>
    public int ConsentVersion { get; set; }
    /// <summary>When the customer gave that consent.</summary>
    public DateTimeOffset ConsentAt { get; set; }
}
