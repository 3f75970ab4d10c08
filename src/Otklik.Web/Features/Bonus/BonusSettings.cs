using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Bonus;

/// <summary>An organization's bonus rule, stored as the JSON of <see cref="BonusRuleDto"/> (edited as a whole).</summary>
public sealed class BonusSettings : ITenantOwned
{
    public Guid OrganizationId { get; set; }
    public required string RuleJson { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
