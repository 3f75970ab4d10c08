using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Reviews;
using Otklik.Web.Features.Bonus;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Privacy;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Features.Testimonials;
using Otklik.Web.Features.Users;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Data;

/// <summary>
/// The one database of Otklik. Two providers, each with its own migrations and its own subclass:
/// <see cref="SqliteOtklikDb"/> (embedded default) and <see cref="PostgresOtklikDb"/>.
/// Tenant isolation lives here: every <see cref="ITenantOwned"/> entity is filtered by the current
/// <see cref="TenantContext"/>, and <see cref="ILocationOwned"/> ones also by a location manager's scope.
/// </summary>
/// <remarks>
/// New migration (run from the repo root, once per provider):
/// <code>
/// dotnet ef migrations add NAME -p src/Otklik.Web -c SqliteOtklikDb -o Data/Migrations/Sqlite
/// dotnet ef migrations add NAME -p src/Otklik.Web -c PostgresOtklikDb -o Data/Migrations/Postgres
/// </code>
/// </remarks>
public abstract class OtklikDb : IdentityUserContext<AppUser, Guid>, IDataProtectionKeyContext
{
    private readonly TenantContext _tenant;

    protected OtklikDb(DbContextOptions options, TenantContext tenant, RunningTotalsCache? runningTotals = null) : base(options)
    {
        _tenant = tenant;
        RunningTotalsCache = runningTotals;
    }

    public TenantContext Tenant => _tenant;

    /// <summary>This node's cache of settled running totals (none in design-time and hand-made contexts).</summary>
    public RunningTotalsCache? RunningTotalsCache { get; }

    // Read by the query filters; EF evaluates them per query, so one context follows its TenantContext.
    private bool IsSystem => _tenant.IsSystem;
    private Guid TenantId => _tenant.OrganizationId;
    private bool AllLocations => _tenant.LocationScope is null;
    private List<Guid> ScopeIds => _tenant.LocationScope as List<Guid> ?? [.. _tenant.LocationScope ?? []];

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<LocationGroup> LocationGroups => Set<LocationGroup>();
    public DbSet<Location> Locations => Set<Location>();
    public DbSet<StaffMember> StaffMembers => Set<StaffMember>();
    public DbSet<Shift> Shifts => Set<Shift>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<AccessScope> AccessScopes => Set<AccessScope>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ButtonPress> ButtonPresses => Set<ButtonPress>();
    public DbSet<Reason> Reasons => Set<Reason>();
    public DbSet<Feedback> Feedback => Set<Feedback>();
    public DbSet<FeedbackReason> FeedbackReasons => Set<FeedbackReason>();
    public DbSet<FeedbackAttachment> FeedbackAttachments => Set<FeedbackAttachment>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertSettings> AlertSettings => Set<AlertSettings>();
    public DbSet<NotificationChannel> NotificationChannels => Set<NotificationChannel>();
    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();
    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<CaseShare> CaseShares => Set<CaseShare>();
    public DbSet<StaffLink> StaffLinks => Set<StaffLink>();
    public DbSet<CaseSettings> CaseSettings => Set<CaseSettings>();
    public DbSet<ResponseTemplate> ResponseTemplates => Set<ResponseTemplate>();
    public DbSet<HourlyRollup> HourlyRollups => Set<HourlyRollup>();
    public DbSet<DailyRollup> DailyRollups => Set<DailyRollup>();
    public DbSet<MonthlyRollup> MonthlyRollups => Set<MonthlyRollup>();
    public DbSet<RunningRollup> RunningRollups => Set<RunningRollup>();
    public DbSet<RollupStamp> RollupStamps => Set<RollupStamp>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<SurveyQuestion> SurveyQuestions => Set<SurveyQuestion>();
    public DbSet<SurveyLocation> SurveyLocations => Set<SurveyLocation>();
    public DbSet<SurveyResponse> SurveyResponses => Set<SurveyResponse>();
    public DbSet<SurveyAnswer> SurveyAnswers => Set<SurveyAnswer>();
    public DbSet<SurveyInvitation> SurveyInvitations => Set<SurveyInvitation>();
    public DbSet<Testimonial> Testimonials => Set<Testimonial>();
    public DbSet<VisitorCount> VisitorCounts => Set<VisitorCount>();
    public DbSet<SalesAttempt> SalesAttempts => Set<SalesAttempt>();
    public DbSet<PosSale> PosSales => Set<PosSale>();
    public DbSet<FunnelEntry> FunnelEntries => Set<FunnelEntry>();
    public DbSet<ConversionSettings> ConversionSettings => Set<ConversionSettings>();
    public DbSet<ReviewSnapshot> ReviewSnapshots => Set<ReviewSnapshot>();
    public DbSet<CustomerCount> CustomerCounts => Set<CustomerCount>();
    public DbSet<ReviewSettings> ReviewSettings => Set<ReviewSettings>();
    public DbSet<ReviewSource> ReviewSources => Set<ReviewSource>();
    public DbSet<BonusSettings> BonusSettings => Set<BonusSettings>();
    public DbSet<Features.Digests.DigestSubscription> DigestSubscriptions => Set<Features.Digests.DigestSubscription>();
    public DbSet<Features.Digests.DigestDelivery> DigestDeliveries => Set<Features.Digests.DigestDelivery>();
    /// <summary>The Data Protection key ring (cookies, antiforgery, encrypted secrets), shared by every node.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ConsentTextVersion> ConsentTextVersions => Set<ConsentTextVersion>();
    public DbSet<RetentionPolicy> RetentionPolicies => Set<RetentionPolicy>();
    public DbSet<RetentionRun> RetentionRuns => Set<RetentionRun>();
    public DbSet<Features.Account.UserSession> UserSessions => Set<Features.Account.UserSession>();
    /// <summary>The nodes' sessions on an external MQTT broker (not a tenant's data).</summary>
    public DbSet<Features.Cluster.MqttNodeSession> MqttNodeSessions => Set<Features.Cluster.MqttNodeSession>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(OtklikDb).Assembly, t => t.Namespace == typeof(OtklikDb).Namespace + ".Configurations");

        builder.Entity<Organization>().HasQueryFilter(o => IsSystem || o.Id == TenantId);
        builder.Entity<LocationGroup>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<Location>().HasQueryFilter(e => IsSystem || (e.OrganizationId == TenantId && (AllLocations || ScopeIds.Contains(e.Id))));
        builder.Entity<AccessScope>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<ApiKey>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<StaffMember>(builder);
        FilterByLocation<Shift>(builder);
        FilterByLocation<Device>(builder);
        FilterByLocation<ButtonPress>(builder);
        builder.Entity<Reason>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<Feedback>(builder);
        builder.Entity<FeedbackReason>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<FeedbackAttachment>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<Alert>(builder);
        FilterByLocation<AlertSettings>(builder);
        FilterByLocation<NotificationChannel>(builder);
        FilterByLocation<NotificationDelivery>(builder);
        FilterByLocation<DeliveryAttempt>(builder);
        builder.Entity<ImportJob>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<ImportRowError>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<Case>(builder);
        FilterByLocation<CaseEvent>(builder);
        FilterByLocation<CaseShare>(builder);
        FilterByLocation<StaffLink>(builder);
        builder.Entity<CaseSettings>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<ResponseTemplate>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<HourlyRollup>(builder);
        FilterByLocation<DailyRollup>(builder);
        FilterByLocation<MonthlyRollup>(builder);
        FilterByLocation<RunningRollup>(builder);
        builder.Entity<Survey>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<SurveyQuestion>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<SurveyLocation>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<SurveyResponse>(builder);
        builder.Entity<SurveyAnswer>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<SurveyInvitation>(builder);
        FilterByLocation<Testimonial>(builder);
        FilterByLocation<VisitorCount>(builder);
        FilterByLocation<SalesAttempt>(builder);
        FilterByLocation<PosSale>(builder);
        FilterByLocation<FunnelEntry>(builder);
        builder.Entity<ConversionSettings>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<ReviewSnapshot>(builder);
        FilterByLocation<CustomerCount>(builder);
        builder.Entity<ReviewSettings>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        FilterByLocation<ReviewSource>(builder);
        builder.Entity<BonusSettings>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<Features.Digests.DigestSubscription>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<Features.Digests.DigestDelivery>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<AuditEntry>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<ConsentTextVersion>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<RetentionPolicy>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<RetentionRun>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<Features.Account.UserSession>().HasQueryFilter(e => IsSystem || e.OrganizationId == TenantId);
        builder.Entity<Features.Account.UserSession>().HasIndex(e => new { e.UserId, e.EndedAt });
        builder.Entity<Features.Account.UserSession>().Property(e => e.Address).HasMaxLength(64);
        builder.Entity<Features.Account.UserSession>().Property(e => e.Browser).HasMaxLength(200);
        builder.Entity<AuditEntry>().HasIndex(e => new { e.OrganizationId, e.At });
        builder.Entity<AuditEntry>().Property(e => e.Action).HasMaxLength(64);
        builder.Entity<AuditEntry>().Property(e => e.TargetType).HasMaxLength(64);
        builder.Entity<AuditEntry>().Property(e => e.Detail).HasMaxLength(500);
        builder.Entity<AuditEntry>().Property(e => e.Address).HasMaxLength(64);
        // Users are not filtered: sign-in must find a user before any tenant is known.
        // Every user query outside Identity goes through UsersApi, which filters by organization explicitly.
    }

    /// <summary>Applies the tenant + location-scope filter to a location-owned entity type.</summary>
    protected void FilterByLocation<T>(ModelBuilder builder) where T : class, ILocationOwned =>
        builder.Entity<T>().HasQueryFilter(e => IsSystem || (e.OrganizationId == TenantId && (AllLocations || ScopeIds.Contains(e.LocationId))));

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>New rows get the current tenant; a row of another tenant can never be written through this context.</summary>
    private void StampTenant()
    {
        AuditTrail.Capture(ChangeTracker, _tenant);
        ConsentHistory.Capture(ChangeTracker);
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.OrganizationId == Guid.Empty)
                entry.Entity.OrganizationId = _tenant.OrganizationId;
            if ((entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                && !_tenant.IsSystem && entry.Entity.OrganizationId != _tenant.OrganizationId)
                throw new InvalidOperationException("A row of another organization cannot be written in this context.");
        }
    }
}
