using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Ingestion;

namespace Otklik.Web.Features.Cases;

/// <summary>Something that happens in the transaction that stores a piece of feedback (before it is saved).</summary>
public interface IFeedbackStoringHook
{
    Task OnStoringAsync(OtklikDb db, Feedback.Feedback feedback, CancellationToken ct);
}

/// <summary>
/// Opens cases in the transaction that stores their cause: every negative feedback, and every counted red press at a
/// location whose rule says so. The deadline comes from the organization's SLA for an unqualified case.
/// </summary>
public sealed class CaseOpener : IFeedbackStoringHook, IPressCommitHook
{
    public async Task OnStoringAsync(OtklikDb db, Feedback.Feedback feedback, CancellationToken ct)
    {
        if (feedback.Sentiment != Sentiment.Negative) return;
        var sla = await SlaAsync(db, feedback.OrganizationId, ct);
        var staff = await StaffOnShiftAsync(db, feedback.LocationId, feedback.CreatedAt, ct);
        var summary = string.IsNullOrWhiteSpace(feedback.Text) ? $"{feedback.Channel}: negative feedback" : Excerpt(feedback.Text);
        Add(db, new Case
        {
            OrganizationId = feedback.OrganizationId, LocationId = feedback.LocationId, FeedbackId = feedback.Id, StaffMemberId = staff,
            Summary = summary, CreatedAt = feedback.CreatedAt, DueAt = CaseSla.Due(feedback.CreatedAt, null, sla).DueAt,
        });
    }

    public async Task OnPressesAsync(OtklikDb db, IReadOnlyList<ButtonPress> stored, CancellationToken ct)
    {
        var red = stored.Where(p => p.Type == PressType.Red && !p.Suppressed).ToList();
        if (red.Count == 0) return;
        var locationIds = red.Select(p => p.LocationId).Distinct().ToList();
        var ruled = await db.Locations.IgnoreQueryFilters().AsNoTracking()
            .Where(l => locationIds.Contains(l.Id) && l.OpenCaseOnRedPress).Select(l => l.Id).ToListAsync(ct);
        if (ruled.Count == 0) return;
        var slas = new Dictionary<Guid, SlaTable>();
        foreach (var press in red.Where(p => ruled.Contains(p.LocationId)))
        {
            if (!slas.TryGetValue(press.OrganizationId, out var sla)) slas[press.OrganizationId] = sla = await SlaAsync(db, press.OrganizationId, ct);
            Add(db, new Case
            {
                OrganizationId = press.OrganizationId, LocationId = press.LocationId, PressId = press.Id, StaffMemberId = press.StaffMemberId,
                Summary = "Red press", CreatedAt = press.ReceivedAt, DueAt = CaseSla.Due(press.ReceivedAt, null, sla).DueAt,
            });
        }
        await db.SaveChangesAsync(ct);
    }

    private static void Add(OtklikDb db, Case c)
    {
        db.Cases.Add(c);
        db.CaseEvents.Add(new CaseEvent
        {
            OrganizationId = c.OrganizationId, LocationId = c.LocationId, CaseId = c.Id, Kind = CaseEventKind.Created, At = c.CreatedAt,
            By = "Otklik", ToStatus = CaseStatus.New,
        });
    }

    public static async Task<SlaTable> SlaAsync(OtklikDb db, Guid organizationId, CancellationToken ct) =>
        (await db.CaseSettings.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == organizationId, ct) ?? new CaseSettings()).Sla;

    /// <summary>The one employee on shift at that moment, if exactly one was.</summary>
    private static async Task<Guid?> StaffOnShiftAsync(OtklikDb db, Guid locationId, DateTimeOffset at, CancellationToken ct)
    {
        var onShift = await db.Shifts.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.LocationId == locationId && s.StartsAt <= at && s.EndsAt > at).Select(s => s.StaffMemberId).Distinct().Take(2).ToListAsync(ct);
        return onShift.Count == 1 ? onShift[0] : null;
    }

    private static string Excerpt(string text)
    {
        var t = text.Trim().ReplaceLineEndings(" ");
        return t.Length <= 200 ? t : t[..199] + "…";
    }
}
