using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Testimonials;

public sealed record TestimonialDto(Guid Id, Guid LocationId, string Text, string? AuthorName, DateTimeOffset WrittenAt, DateTimeOffset? ApprovedAt);

public sealed record ApproveInput(Guid FeedbackId);

/// <summary>Approving praise for publication (managers) and reading what waits or is published.</summary>
public static class TestimonialsApi
{
    public static IEndpointRouteBuilder MapTestimonials(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/testimonials").WithTags("Testimonials");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/pending", Pending).RequireAuthorization(Policies.Read);
        api.MapPost("/", Approve).RequireAuthorization(Policies.Manage);
        api.MapDelete("/{id:guid}", Withdraw).RequireAuthorization(Policies.Manage);
        return routes;
    }

    private static async Task<Ok<List<TestimonialDto>>> List(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Testimonials.AsNoTracking().OrderByDescending(t => t.ApprovedAt)
            .Select(t => new TestimonialDto(t.Id, t.LocationId, t.Text, t.AuthorName, t.WrittenAt, t.ApprovedAt)).ToListAsync(ct));

    private static async Task<Ok<List<TestimonialDto>>> Pending(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(await PendingQuery(db).OrderByDescending(f => f.CreatedAt).Take(500)
            .Select(f => new TestimonialDto(f.Id, f.LocationId, f.Text!, f.ContactName, f.CreatedAt, null)).ToListAsync(ct));

    /// <summary>Positive feedback with text and publication consent that is not published yet.</summary>
    public static IQueryable<Feedback.Feedback> PendingQuery(OtklikDb db) =>
        db.Feedback.AsNoTracking().Where(f => f.TestimonialConsent && f.Sentiment == Sentiment.Positive && f.Text != null && !db.Testimonials.Any(t => t.Id == f.Id));

    private static async Task<Results<Created<TestimonialDto>, ProblemHttpResult>> Approve(ApproveInput input, OtklikDb db, TestimonialSignal signal, TenantContext tenant,
        TimeProvider time, CancellationToken ct)
    {
        var result = await ApproveAsync(db, signal, input.FeedbackId, tenant.UserId, time.GetUtcNow(), ct);
        return result is null ? Problem.NotFound("Feedback that may be published") : TypedResults.Created($"/api/v1/testimonials/{result.Id}", result);
    }

    /// <summary>Publishes the feedback's words; null when it is not visible, not positive, has no text or no consent. Approving twice is harmless.</summary>
    public static async Task<TestimonialDto?> ApproveAsync(OtklikDb db, TestimonialSignal signal, Guid feedbackId, Guid? userId, DateTimeOffset now, CancellationToken ct)
    {
        var existing = await db.Testimonials.AsNoTracking().FirstOrDefaultAsync(t => t.Id == feedbackId, ct);
        if (existing is not null) return ToDto(existing);
        var feedback = await db.Feedback.AsNoTracking()
            .FirstOrDefaultAsync(f => f.Id == feedbackId && f.TestimonialConsent && f.Sentiment == Sentiment.Positive && f.Text != null, ct);
        if (feedback is null) return null;
        var testimonial = new Testimonial
        {
            Id = feedback.Id, OrganizationId = feedback.OrganizationId, LocationId = feedback.LocationId, Text = feedback.Text!,
            AuthorName = FirstName(feedback.ContactName), WrittenAt = feedback.CreatedAt, ApprovedAt = now, ApprovedByUserId = userId,
        };
        db.Testimonials.Add(testimonial);
        await db.SaveChangesAsync(ct);
        await signal.PublishAsync(new TestimonialsChanged(testimonial.OrganizationId, testimonial.LocationId));
        return ToDto(testimonial);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Withdraw(Guid id, OtklikDb db, TestimonialSignal signal, CancellationToken ct)
    {
        var testimonial = await db.Testimonials.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (testimonial is null) return Problem.NotFound("Testimonial");
        db.Testimonials.Remove(testimonial);
        await db.SaveChangesAsync(ct);
        await signal.PublishAsync(new TestimonialsChanged(testimonial.OrganizationId, testimonial.LocationId));
        return TypedResults.NoContent();
    }

    /// <summary>Only the first word of the name goes public.</summary>
    private static string? FirstName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : name.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    private static TestimonialDto ToDto(Testimonial t) => new(t.Id, t.LocationId, t.Text, t.AuthorName, t.WrittenAt, t.ApprovedAt);
}
