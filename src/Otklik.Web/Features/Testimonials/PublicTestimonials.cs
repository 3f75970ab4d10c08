using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Testimonials.Pages;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Testimonials;

/// <summary>What the public testimonials page and widget show.</summary>
public sealed class TestimonialsPageModel
{
    public bool Found { get; set; }
    public bool Widget { get; set; }
    public string Language { get; set; } = "ru";
    public string OrganizationName { get; set; } = "";
    public IReadOnlyList<TestimonialDto> Items { get; set; } = [];
}

/// <summary>
/// Approved testimonials of an organization: <c>/t/{organizationId}</c> (a page) and <c>/t/{organizationId}/widget</c>
/// (for an iframe on the organization's own site: the only page whose CSP allows being framed). Plain HTML, no script.
/// </summary>
public static class PublicTestimonials
{
    public const int Shown = 30;

    public static IEndpointRouteBuilder MapPublicTestimonials(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/t/{organization:guid}", (Guid organization, HttpContext http, IServiceProvider services, CancellationToken ct) =>
            ShowAsync(organization, widget: false, http, services, ct)).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/t/{organization:guid}/widget", (Guid organization, HttpContext http, IServiceProvider services, CancellationToken ct) =>
            ShowAsync(organization, widget: true, http, services, ct)).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> ShowAsync(Guid organization, bool widget, HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var model = new TestimonialsPageModel { Widget = widget, Language = PublicFeedback.LanguageOf(http) };
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(organization);
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var org = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organization, ct);
            if (org is not null)
            {
                model.Found = true;
                model.OrganizationName = org.Name;
                model.Items = await db.Testimonials.AsNoTracking().OrderByDescending(t => t.ApprovedAt).Take(Shown)
                    .Select(t => new TestimonialDto(t.Id, t.LocationId, t.Text, t.AuthorName, t.WrittenAt, t.ApprovedAt)).ToListAsync(ct);
            }
        }
        http.Response.Headers.CacheControl = "public, max-age=60";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        // Framing is allowed for the widget only: it is meant to sit on the organization's own site.
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {(widget ? "*" : "'none'")}";
        var culture = CultureInfo.GetCultureInfo(model.Language);
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        return new RazorComponentResult<TestimonialsPage>(new { Model = model }) { StatusCode = model.Found ? 200 : 404 };
    }
}
