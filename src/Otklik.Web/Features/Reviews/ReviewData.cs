using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reviews;

/// <summary>The maps services whose review counts feed the support index.</summary>
public enum MapsService
{
    YandexMaps,
    TwoGis,
    GoogleMaps,
}

/// <summary>How a snapshot got here.</summary>
public enum SnapshotOrigin
{
    Manual,
    Import,
    Connector,
}

/// <summary>
/// The review counts a maps service showed for a location at one moment. New reviews in a period are the difference of
/// two snapshots (<see cref="Otklik.Core.Metrics.SupportIndex.NewReviewsBetween"/>). Positive reviews are either given
/// directly or derived from the rating histogram with the organization's threshold (<see cref="ReviewSettings.PositiveMinRating"/>).
/// </summary>
public sealed class ReviewSnapshot : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public MapsService Service { get; set; }
    public DateTimeOffset TakenAt { get; set; }
    public int TotalReviews { get; set; }
    /// <summary>Positive reviews as counted by whoever took the snapshot; null when only the histogram is known.</summary>
    public int? PositiveReviews { get; set; }
    /// <summary>Reviews with 1..5 stars; all null when the histogram is not known.</summary>
    public int? Stars1 { get; set; }
    public int? Stars2 { get; set; }
    public int? Stars3 { get; set; }
    public int? Stars4 { get; set; }
    public int? Stars5 { get; set; }
    public double? AverageRating { get; set; }
    public SnapshotOrigin Origin { get; set; }
    public Guid? ImportJobId { get; set; }
    public Guid? SourceId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }

    public bool HasHistogram => Stars1 is not null && Stars2 is not null && Stars3 is not null && Stars4 is not null && Stars5 is not null;

    /// <summary>Positive reviews with a threshold: from the histogram when there is one, else as given.</summary>
    public long Positive(int minRating) => HasHistogram
        ? new[] { Stars1!.Value, Stars2!.Value, Stars3!.Value, Stars4!.Value, Stars5!.Value }.Where((_, i) => i + 1 >= minRating).Sum(x => (long)x)
        : PositiveReviews ?? 0;
}

/// <summary>
/// Customers served at a location over local dates <see cref="From"/>..<see cref="To"/> (inclusive), entered by hand
/// where there is no POS data. A period overlapping part of the range takes the overlapping days' share.
/// </summary>
public sealed class CustomerCount : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public long Customers { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>An organization's review settings.</summary>
public sealed class ReviewSettings : ITenantOwned
{
    public const int DefaultPositiveMinRating = 4;
    public Guid OrganizationId { get; set; }
    /// <summary>A review with at least this many stars is positive (1..5).</summary>
    public int PositiveMinRating { get; set; } = DefaultPositiveMinRating;
}

/// <summary>
/// A JSON endpoint that answers the review counts of one location on one maps service (an aggregator, the
/// organization's own scraper-free integration, a partner API). Field paths are dotted with optional indices:
/// <c>data.reviews.total</c>, <c>items[0].rating</c>.
/// </summary>
public sealed class ReviewSource : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public MapsService Service { get; set; }
    public required string Url { get; set; }
    public required string TotalPath { get; set; }
    public string? PositivePath { get; set; }
    /// <summary>Path to the histogram: an array of five counts (1..5 stars) or an object with keys "1".."5".</summary>
    public string? HistogramPath { get; set; }
    public string? AveragePath { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset? LastPulledAt { get; set; }
    public string? LastError { get; set; }
}
