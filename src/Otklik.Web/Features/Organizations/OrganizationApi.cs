using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Organizations;

public sealed record OrganizationDto(Guid Id, string Name, string TimeZone, string Language, bool RequireTwoFactorForAdmins);

/// <summary>The organization's settings; <see cref="RequireTwoFactorForAdmins"/> is kept as it is when not given.</summary>
public sealed record OrganizationInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: Required, StringLength(64)] string TimeZone,
    [property: Required, RegularExpression("^(ru|en)$")] string Language,
    bool? RequireTwoFactorForAdmins = null);

public static class OrganizationApi
{
    public static IEndpointRouteBuilder MapOrganization(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/organization").WithTags("Organization");
        api.MapGet("/", Get).RequireAuthorization(Policies.Read);
        api.MapPut("/", Update).RequireAuthorization(Policies.Admin);
        return routes;
    }

    private static async Task<Results<Ok<OrganizationDto>, ProblemHttpResult>> Get(OtklikDb db, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().FirstOrDefaultAsync(ct) is { } o
            ? TypedResults.Ok(new OrganizationDto(o.Id, o.Name, o.TimeZone, o.Language, o.RequireTwoFactorForAdmins))
            : Problem.NotFound("Organization");

    private static async Task<Results<Ok<OrganizationDto>, ValidationProblem, ProblemHttpResult>> Update(OrganizationInput input, OtklikDb db, CancellationToken ct)
    {
        var org = await db.Organizations.FirstOrDefaultAsync(ct);
        if (org is null) return Problem.NotFound("Organization");
        var errors = Validate(input);
        if (errors.Any) return errors.ToProblem();
        org.Name = input.Name.Trim();
        org.TimeZone = input.TimeZone;
        org.Language = input.Language;
        org.RequireTwoFactorForAdmins = input.RequireTwoFactorForAdmins ?? org.RequireTwoFactorForAdmins;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new OrganizationDto(org.Id, org.Name, org.TimeZone, org.Language, org.RequireTwoFactorForAdmins));
    }

    internal static Errors Validate(OrganizationInput input) => new Errors()
        .Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.")
        .Check(TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone, out _), "timeZone", "Unknown time zone; use an IANA id such as Europe/Moscow.")
        .Check(input.Language is "ru" or "en", "language", "Choose Russian or English.");
}
