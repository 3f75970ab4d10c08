using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Live;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

public enum AlertStatus
{
    Open,
    Acknowledged,
    Resolved,
    All,
}

public sealed record AlertDto(
    Guid Id, Guid LocationId, AlertKind Kind, string Title, Guid? DeviceId, Guid? PressId, Guid? StaffMemberId,
    DateTimeOffset RaisedAt, int EscalationLevel, DateTimeOffset? NextEscalationAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt)
{
    public static AlertDto From(Alert a) => new(a.Id, a.LocationId, a.Kind, a.Title, a.DeviceId, a.PressId, a.StaffMemberId,
        a.RaisedAt, a.EscalationLevel, a.NextEscalationAt, a.AcknowledgedAt, a.AcknowledgedBy, a.ResolvedAt);
}

public sealed record DeliveryAttemptDto(DateTimeOffset At, bool Succeeded, int? StatusCode, string? Error, long DurationMs);

public sealed record DeliveryDto(
    Guid Id, Guid? AlertId, Guid? ChannelId, ChannelKind Kind, string Event, int Level, string Subject, DeliveryStatus Status,
    int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset NextAttemptAt, string? LastError,
    IReadOnlyList<DeliveryAttemptDto> Log);

public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/alerts").WithTags("Alerts");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/{id:guid}/ack", Acknowledge).RequireAuthorization(Policies.Operate);
        api.MapGet("/{id:guid}/deliveries", Deliveries).RequireAuthorization(Policies.Read);
        return routes;
    }

    private static async Task<Results<Ok<Page<AlertDto>>, ValidationProblem>> List(OtklikDb db, [AsParameters] Paging paging, Guid? locationId, string? status, CancellationToken ct)
    {
        var filter = AlertStatus.Open;
        if (status is not null && (!Enum.TryParse(status, ignoreCase: true, out filter) || !Enum.IsDefined(filter)))
            return Problem.Invalid("status", "Use open, acknowledged, resolved or all.");
        var query = db.Alerts.AsNoTracking();
        if (locationId is { } l) query = query.Where(a => a.LocationId == l);
        query = filter switch
        {
            AlertStatus.Open => query.Where(a => a.AcknowledgedAt == null && a.ResolvedAt == null),
            AlertStatus.Acknowledged => query.Where(a => a.AcknowledgedAt != null),
            AlertStatus.Resolved => query.Where(a => a.ResolvedAt != null),
            _ => query,
        };
        return TypedResults.Ok(await paging.ApplyAsync(query.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id), AlertDto.From, ct));
    }

    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } a ? TypedResults.Ok(AlertDto.From(a)) : Problem.NotFound("Alert");

    /// <summary>One click; acknowledging again changes nothing and answers with the alert as it is.</summary>
    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> Acknowledge(Guid id, OtklikDb db, TenantContext tenant, LiveNotifier live, TimeProvider time, CancellationToken ct)
    {
        if (!await db.Alerts.AnyAsync(a => a.Id == id, ct)) return Problem.NotFound("Alert");
        await AlertInbox.AcknowledgeAsync(db, tenant, live, time.GetUtcNow(), id, ct);
        var alert = await db.Alerts.AsNoTracking().FirstAsync(a => a.Id == id, ct);
        return TypedResults.Ok(AlertDto.From(alert));
    }

    private static async Task<Results<Ok<List<DeliveryDto>>, ProblemHttpResult>> Deliveries(Guid id, OtklikDb db, CancellationToken ct)
    {
        if (!await db.Alerts.AnyAsync(a => a.Id == id, ct)) return Problem.NotFound("Alert");
        return TypedResults.Ok(await DeliveryLogAsync(db, db.NotificationDeliveries.Where(d => d.AlertId == id), 200, ct));
    }

    /// <summary>Deliveries, newest first, each with its attempts.</summary>
    public static async Task<List<DeliveryDto>> DeliveryLogAsync(OtklikDb db, IQueryable<NotificationDelivery> query, int take, CancellationToken ct)
    {
        var deliveries = await query.AsNoTracking().OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take).ToListAsync(ct);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.DeliveryAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(ct))
            .OrderBy(a => a.At).ThenBy(a => a.Id).ToLookup(a => a.DeliveryId);
        return deliveries.Select(d => new DeliveryDto(d.Id, d.AlertId, d.ChannelId, d.Kind, d.Event, d.Level, d.Subject, d.Status, d.Attempts,
            d.CreatedAt, d.DeliveredAt, d.NextAttemptAt, d.LastError,
            attempts[d.Id].Select(a => new DeliveryAttemptDto(a.At, a.Succeeded, a.StatusCode, a.Error, a.DurationMs)).ToList())).ToList();
    }
}
