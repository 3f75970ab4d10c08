using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Otklik.Core.Reports;
using Otklik.Web.Data;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Digests;

/// <summary>One person's digest: <see cref="Frequency"/> is off, daily, weekly or monthly; <see cref="Email"/> null means their account e-mail.</summary>
public sealed record DigestSubscriptionDto(Guid UserId, string AccountEmail, string? DisplayName, OtklikRole Role, string Frequency, string? Email, DateTimeOffset? UpdatedAt);

/// <summary>Body of <c>PUT /api/v1/digests/subscriptions/{userId}</c>: what <c>/account/digests</c> sets.</summary>
public sealed record DigestSubscriptionInput(string? Frequency, string? Email);

/// <summary>
/// The digest choices of the organization's people over the API, for owners (what each person sets for themselves on
/// <c>/account/digests</c>). Users are not under the tenant filter (see <see cref="UsersApi"/>), so every query names the
/// organization through <see cref="UsersApi.Members"/>; a person of another organization is 404.
/// </summary>
public static class DigestSubscriptionsApi
{
    /// <summary>The API's names of <see cref="DigestFrequency"/>, in order.</summary>
    public static readonly IReadOnlyDictionary<string, DigestFrequency> Frequencies = new Dictionary<string, DigestFrequency>(StringComparer.OrdinalIgnoreCase)
    {
        ["off"] = DigestFrequency.None,
        ["daily"] = DigestFrequency.Daily,
        ["weekly"] = DigestFrequency.Weekly,
        ["monthly"] = DigestFrequency.Monthly,
    };

    /// <summary>The API's name of a frequency: the key of <see cref="Frequencies"/> that maps to it.</summary>
    public static string Name(DigestFrequency f) => Frequencies.FirstOrDefault(kv => kv.Value == f).Key ?? "off";

    public static IEndpointRouteBuilder MapDigestSubscriptions(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/digests/subscriptions").WithTags("Reports").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List)
            .WithSummary("Every person of the organization with their digest: frequency (off, daily, weekly, monthly) and address (null: their account e-mail)");
        api.MapPut("/{id:guid}", Put)
            .WithSummary("Sets a person's digest, as they can on /account/digests: {\"frequency\": \"off|daily|weekly|monthly\", \"email\": null or an address}");
        return routes;
    }

    private static async Task<Ok<Page<DigestSubscriptionDto>>> List(OtklikDb db, TenantContext tenant, [AsParameters] Paging paging, CancellationToken ct)
    {
        var page = await paging.ApplyAsync(UsersApi.Members(db, tenant).AsNoTracking().OrderBy(u => u.Email).ThenBy(u => u.Id), u => u, ct);
        var ids = page.Items.Select(u => u.Id).ToList();
        var subscriptions = await db.DigestSubscriptions.AsNoTracking().Where(s => ids.Contains(s.UserId)).ToDictionaryAsync(s => s.UserId, ct);
        return TypedResults.Ok(new Page<DigestSubscriptionDto>([.. page.Items.Select(u => ToDto(u, subscriptions.GetValueOrDefault(u.Id)))],
            page.Total, page.PageNumber, page.PageSize));
    }

    private static async Task<Results<Ok<DigestSubscriptionDto>, ValidationProblem, ProblemHttpResult>> Put(Guid id, DigestSubscriptionInput input, OtklikDb db,
        TenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var user = await UsersApi.Members(db, tenant).AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return Problem.NotFound("User");

        var errors = new Errors();
        DigestFrequency frequency = default;
        if (string.IsNullOrWhiteSpace(input.Frequency)) errors.Add("frequency", "Required: off, daily, weekly or monthly.");
        else if (!Frequencies.TryGetValue(input.Frequency.Trim(), out frequency)) errors.Add("frequency", "Unknown frequency. Allowed values: off, daily, weekly, monthly.");
        var email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        if (email is not null && !IsAddress(email)) errors.Add("email", $"Not an e-mail address (at most {Limits.Email} characters), or null for the account e-mail.");
        if (errors.Any) return errors.ToProblem();

        // One row per person (unique user id): two first PUTs at once — the loser's insert fails, it then updates the winner's row.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var subscription = await db.DigestSubscriptions.FirstOrDefaultAsync(s => s.UserId == id, ct);
                if (subscription is null) db.DigestSubscriptions.Add(subscription = new DigestSubscription { UserId = id });
                subscription.Frequency = frequency;
                subscription.Email = email;
                subscription.UpdatedAt = time.GetUtcNow();
                await db.SaveChangesAsync(ct);
                return TypedResults.Ok(ToDto(user, subscription));
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>A digest address, here and on <c>/account/digests</c>: one mailbox with an @, within the column's length.</summary>
    public static bool IsAddress(string email) =>
        email.Length <= Limits.Email && MailboxAddress.TryParse(email, out var parsed) && parsed.Address.Contains('@', StringComparison.Ordinal);

    private static DigestSubscriptionDto ToDto(AppUser u, DigestSubscription? s) =>
        new(u.Id, u.Email ?? "", u.DisplayName, u.Role, Name(s?.Frequency ?? DigestFrequency.None), s?.Email, s?.UpdatedAt);
}
