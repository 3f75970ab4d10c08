using Otklik.Web.Features.Buttons;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Conversion;

/// <summary>
/// Visitors a counter saw in one interval. <see cref="EventId"/> is made by the device; the same (device, event id)
/// is stored once however often and by whichever channel it arrives, like a button press. Counts imported from a
/// counter's file have no device: they are stored once per (location, <see cref="ExternalId"/>).
/// </summary>
public sealed class VisitorCount : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    /// <summary>The counter that sent it; null when imported from a file.</summary>
    public Guid? DeviceId { get; set; }
    public Guid EventId { get; set; }
    /// <summary>Imported counts: "counter|from|to" (the counter column may be empty), unique per location. Null for devices.</summary>
    public string? ExternalId { get; set; }
    /// <summary>The import that created it (undo deletes it).</summary>
    public Guid? ImportJobId { get; set; }
    /// <summary>Visitors who came in: the count conversion divides by.</summary>
    public int In { get; set; }
    public int Out { get; set; }
    /// <summary>Start of the interval; the whole count belongs to the hour it starts in.</summary>
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public IngestChannel Channel { get; set; }
}

public enum AttemptSource
{
    Button,
    Console,
}

/// <summary>A salesperson approached a visitor: from a seller's activity button or the phone console.</summary>
public sealed class SalesAttempt : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    /// <summary>The button that sent it; null for the console.</summary>
    public Guid? DeviceId { get; set; }
    public Guid EventId { get; set; }
    /// <summary>The button's owner, else the one employee on shift; for the console, the signed-in seller's staff record.</summary>
    public Guid? StaffMemberId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public AttemptSource Source { get; set; }
}

/// <summary>
/// POS sales of a location: one receipt (count 1, at an instant) or an interval's totals (count receipts between From and To).
/// Idempotent by (location, <see cref="ExternalId"/>): "r:" + receipt id or "i:" + interval id.
/// </summary>
public sealed class PosSale : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public required string ExternalId { get; set; }
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public int Receipts { get; set; }
    /// <summary>Revenue in minor units (kopecks): exact sums on SQLite too, where decimals would be doubles.</summary>
    public long RevenueMinor { get; set; }
    public int Items { get; set; }
    public Guid? StaffMemberId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>The import that created it (undo deletes it); null for <c>POST /api/v1/sales</c>.</summary>
    public Guid? ImportJobId { get; set; }

    public decimal Revenue => RevenueMinor / 100m;
}

public enum FunnelMode
{
    /// <summary>The seller's own two taps after a conversation.</summary>
    Seller,
    /// <summary>The floor administrator asked a leaving visitor.</summary>
    Interview,
}

/// <summary>
/// One conversation's outcome: the visitor bought (<see cref="Purchased"/>), or left at <see cref="Stage"/> for <see cref="Reason"/>.
/// In interview mode a visitor may also refuse to answer.
/// </summary>
public sealed class FunnelEntry : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid? StaffMemberId { get; set; }
    public Guid? UserId { get; set; }
    public FunnelMode Mode { get; set; }
    public bool Purchased { get; set; }
    /// <summary>Stage key where the visitor left; null when they bought or refused to answer.</summary>
    public string? Stage { get; set; }
    public string? Reason { get; set; }
    public bool Refused { get; set; }
    /// <summary>What the visitor said (interview mode).</summary>
    public string? Note { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>A configurable stage or reason of the sales funnel, named in both languages.</summary>
public sealed record FunnelItem(string Key, string NameRu, string NameEn)
{
    public string Name(string language) => language.StartsWith("ru", StringComparison.OrdinalIgnoreCase) ? NameRu : NameEn;
}

/// <summary>An organization's funnel stages and reasons and the manager's KPI thresholds.</summary>
public sealed class ConversionSettings : ITenantOwned
{
    public Guid OrganizationId { get; set; }
    public List<FunnelItem> Stages { get; set; } = [.. DefaultStages];
    public List<FunnelItem> Reasons { get; set; } = [.. DefaultReasons];
    /// <summary>Lowest acceptable conversion, percent.</summary>
    public double? MinConversionPercent { get; set; } = 30;
    public decimal? MinAverageCheck { get; set; }
    /// <summary>Lowest acceptable coverage (sales attempts per 100 visitors).</summary>
    public double? MinCoveragePercent { get; set; } = 50;
    /// <summary>Lowest acceptable perceived quality (green share of presses), percent.</summary>
    public double? MinQualityPercent { get; set; } = 80;
    public int? MinFunnelEntries { get; set; }

    public static readonly IReadOnlyList<FunnelItem> DefaultStages =
    [
        new("greeting", "Приветствие", "Greeting"),
        new("needs", "Выявление потребностей", "Needs"),
        new("presentation", "Презентация", "Presentation"),
        new("objections", "Возражения", "Objections"),
        new("purchase", "Покупка", "Purchase"),
    ];

    public static readonly IReadOnlyList<FunnelItem> DefaultReasons =
    [
        new("no-size", "Нет размера", "No size"),
        new("price", "Цена", "Price"),
        new("waiting", "Долгое ожидание", "Waiting time"),
        new("assortment", "Нет нужного товара", "Not in the range"),
        new("just-looking", "Просто смотрел", "Just looking"),
        new("other", "Другое", "Other"),
    ];
}
