using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using Otklik.Web.Components;
using Otklik.Web.Data;
using Otklik.Web.Features.Account;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Kiosk;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Cluster;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Demo;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Reviews;
using Otklik.Web.Features.Digests;
using Otklik.Web.Features.Bonus;
using Otklik.Web.Features.Cards;
using Otklik.Web.Features.Health;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Features.Live;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Privacy;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Features.Testimonials;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
var services = builder.Services;
// Running the build output outside Development (the local cluster, process tests): serve library assets from the build.
if (builder.Configuration.GetValue<bool>("Otklik:StaticWebAssets")) builder.WebHost.UseStaticWebAssets();

services.AddSingleton(TimeProvider.System);
services.AddOtklikDatabase(builder.Configuration, builder.Environment);
services.AddScoped<Bootstrapper>();
services.AddDataProtection().SetApplicationName("Otklik").PersistKeysToDbContext<OtklikDb>();
services.AddSingleton<Otklik.Web.Features.Security.SecretBox>();
services.AddHostedService<Otklik.Web.Features.Security.SecretsAtRestMigration>();
services.AddScoped<DemoSeeder>();

// Errors: every 4xx/5xx is a ProblemDetails; binding failures throw so no handler runs on half-read input.
services.AddProblemDetails();
services.AddExceptionHandler<BadRequestExceptionHandler>();
services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
services.AddValidation();
services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
});
services.AddOpenApi();

// Who is asking: a cookie for people, X-Api-Key for scripts.
services.AddAuthentication(o =>
    {
        o.DefaultScheme = "otklik";
        o.DefaultChallengeScheme = "otklik";
    })
    .AddPolicyScheme("otklik", "Cookie or API key", o => o.ForwardDefaultSelector = ctx =>
        ctx.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
    .AddIdentityCookies();
services.ConfigureApplicationCookie(o =>
{
    o.LoginPath = "/login";
    o.AccessDeniedPath = "/access-denied";
    o.Cookie.Name = "otklik.auth";
    o.SlidingExpiration = true;
    o.ExpireTimeSpan = TimeSpan.FromDays(14);
    // The API answers 401/403 instead of redirecting to the sign-in page.
    o.Events.OnRedirectToLogin = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status401Unauthorized);
    o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status403Forbidden);
    // The security stamp and the session (ended from the sessions list or by "sign out everywhere").
    o.Events.OnValidatePrincipal = UserSessions.ValidateAsync;
});
services.Configure<SecurityStampValidatorOptions>(o =>
{
    o.ValidationInterval = TimeSpan.FromMinutes(1);
    o.OnRefreshingPrincipal = UserSessions.KeepSession;
});
services.AddIdentityCore<AppUser>(o =>
    {
        o.User.RequireUniqueEmail = true;
        o.Password.RequiredLength = 8;
        o.Lockout.MaxFailedAccessAttempts = 5;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
    })
    .AddEntityFrameworkStores<OtklikDb>()
    .AddSignInManager()
    .AddClaimsPrincipalFactory<OtklikClaimsFactory>()
    .AddDefaultTokenProviders();
services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Read, p => p.RequireClaim(OtklikClaims.Organization))
    .AddPolicy(Policies.Operate, p => p.RequireClaim(OtklikClaims.Role, nameof(OtklikRole.LocationManager), nameof(OtklikRole.CxManager), nameof(OtklikRole.Owner)))
    .AddPolicy(Policies.Manage, p => p.RequireClaim(OtklikClaims.Role, nameof(OtklikRole.CxManager), nameof(OtklikRole.Owner)))
    .AddPolicy(Policies.Admin, p => p.RequireClaim(OtklikClaims.Role, nameof(OtklikRole.Owner)));
services.AddScoped<TenantResolver>();
services.AddScoped<CircuitHandler, TenantCircuitHandler>();
// Devices: HTTPS and MQTT ingestion with group commit, live fan-out.
services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateOnStart();
services.AddSingleton<LiveNotifier>();
services.AddSingleton<DeviceDirectory>();
services.AddSingleton<PressIngestor>();
services.AddSingleton<ConversionLive>();
services.AddHostedService(sp => sp.GetRequiredService<PressIngestor>());
services.AddSingleton<MqttBroker>();
services.AddSignalR();
services.AddHostedService<LiveHubForwarder>();
var benchmark = builder.Configuration.GetSection(BenchmarkOptions.Section).Get<BenchmarkOptions>() ?? new();
services.AddSingleton(benchmark);
services.AddHostedService(sp => sp.GetRequiredService<MqttBroker>());
services.AddAlerts();
services.AddCases();

// Feedback: the public page, other channels, attachments on disk under the data folder.
services.AddOptions<FeedbackOptions>().BindConfiguration(FeedbackOptions.Section).ValidateOnStart();
services.AddSingleton<IAttachmentStore, FileAttachmentStore>();
services.AddSingleton<FeedbackLimits>();
services.AddSingleton<FormTokens>();
services.AddScoped<FeedbackIntake>();
services.AddScoped<PersonRequests>();
services.AddSingleton<RetentionWorker>();
services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
// Imports: CSV/Excel files into feedback (and later other kinds), in the background, undoable.
services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateOnStart();
services.AddSingleton<IImportTarget, FeedbackImportTarget>();
// Conversion: visitor counts and POS sales from counters' and cash registers' files (all or nothing, idempotent).
services.AddSingleton<IImportTarget, Otklik.Web.Features.Conversion.VisitorCountImportTarget>();
services.AddSingleton<IImportTarget, Otklik.Web.Features.Conversion.PosSaleImportTarget>();
services.AddSingleton<ImportTargets>();
services.AddSingleton<ImportRunner>();
services.AddHostedService(sp => sp.GetRequiredService<ImportRunner>());
services.AddSingleton<ImportService>();
// Hourly rollups for dashboards and the metrics API: maintained with each stored event, rebuildable from raw data.
services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section);
if (builder.Configuration.GetSection(RollupOptions.Section).Get<RollupOptions>()?.MaintainOnIngest != false)
    services.AddScoped<IPressCommitHook, PressRollupHook>();
services.AddSingleton<IRollupSource, PressRollupSource>();
services.AddSingleton<IRollupSource, FeedbackRollupSource>();
services.AddSingleton<IRollupSource, ConversionRollupSource>();
services.AddSingleton<RollupRebuilder>();

// Surveys: NPS/CSAT with factor questions, public page, interviewer mode, invitations through the alerts' outbox.
services.AddOptions<SurveyOptions>().BindConfiguration(SurveyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddScoped<SurveyIntake>();
services.AddSingleton<InvitationWorker>();
services.AddHostedService(sp => sp.GetRequiredService<InvitationWorker>());
services.AddSingleton<TestimonialSignal>();
// Map reviews: snapshots by hand, by import or from JSON endpoints pulled periodically; support index; bonus fund.
services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section);
services.AddSingleton<IImportTarget, ReviewImportTarget>();
services.AddHttpClient(JsonEndpointReviewSource.ClientName, (sp, c) => c.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReviewOptions>>().Value.Timeout)
    .ConfigurePrimaryHttpMessageHandler(sp => JsonEndpointReviewSource.Handler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReviewOptions>>().Value));
services.AddSingleton<IReviewSource, JsonEndpointReviewSource>();
services.AddSingleton<ReviewPuller>();
services.AddSingleton<ReviewPullWorker>();
services.AddHostedService(sp => sp.GetRequiredService<ReviewPullWorker>());
// Scheduled digests: daily / weekly / monthly e-mails with the PDF, once per period and person across the cluster.
services.AddOptions<Otklik.Web.Features.Digests.DigestOptions>().BindConfiguration(Otklik.Web.Features.Digests.DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddSingleton<Otklik.Web.Features.Digests.DigestWorker>();
services.AddHostedService(sp => sp.GetRequiredService<Otklik.Web.Features.Digests.DigestWorker>());
var feedbackOptions = builder.Configuration.GetSection(FeedbackOptions.Section).Get<FeedbackOptions>() ?? new();

services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
// Several nodes (issue 9): Redis backplane and relay, cluster lease, external MQTT broker, /health/live and /health/ready.
services.AddCluster(builder.Configuration);

// A fair share per API key (or signed-in user, or address): 429 with Retry-After past it.
var rateOptions = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();
services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.AddPolicy(RateLimitOptions.ApiPolicy, ctx => RateLimitPartition.GetFixedWindowLimiter(
        ctx.User.FindFirstValue(OtklikClaims.ApiKey) ?? ctx.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? ctx.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = rateOptions.PerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    o.AddPolicy(IngestionApi.PairingPolicy, ctx => RateLimitPartition.GetFixedWindowLimiter(
        ctx.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    // The public feedback form: a few posts a minute from one address (behind a proxy, configure forwarded headers).
    o.AddPolicy(FeedbackOptions.PublicFormPolicy, ctx => RateLimitPartition.GetFixedWindowLimiter(
        ctx.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, feedbackOptions.PerAddressPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    o.OnRejected = async (ctx, ct) =>
    {
        var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx.HttpContext,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = $"Try again in {retry.TotalSeconds:0} seconds." },
        });
    };
});

// UI: Blazor server-side with MudBlazor, Russian and English.
services.AddLocalization();
services.Configure<RequestLocalizationOptions>(o =>
{
    string[] cultures = ["en", "ru"];
    o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
    o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
});
// Russian text goes out as is, not as &#x...; entities: half the bytes on a phone.
services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
    o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
services.AddRazorComponents().AddInteractiveServerComponents();
services.AddCascadingAuthenticationState();
services.AddMudServices();
services.AddHttpContextAccessor();

var app = builder.Build();

app.UseMiddleware<Otklik.Web.Features.Security.SecurityHeaders>();
if (!app.Environment.IsDevelopment()) app.UseHsts();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLocalization();
app.UseStaticFiles();
app.UseAuthentication();
app.UseMiddleware<TenantMiddleware>();
app.UseAuthorization();
// Owners and CX managers of an organization that requires two-factor sign-in set it up before anything else.
app.UseMiddleware<Otklik.Web.Features.Account.TwoFactorGate>();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapOpenApi();
app.MapScalarApiReference("/api-docs");
app.MapHealthChecks("/health");
app.MapClusterHealth();

var api = app.MapGroup("").RequireRateLimiting(RateLimitOptions.ApiPolicy);
api.MapOrganization();
api.MapLocations();
api.MapStaff();
api.MapDevices();
api.MapUsers();
api.MapApiKeys();
api.MapReasons();
api.MapFeedbackApi();
app.MapPublicFeedback();
app.MapKiosk();
api.MapCards();
app.MapCardsPrint();
api.MapAlerts();
api.MapAlertSettings();
api.MapReports();
api.MapImports();
api.MapCauseReports();
api.MapDigests();
api.MapDigestSubscriptions();
api.MapCaseRoutes();
app.MapCaseFollowUp();
api.MapMetrics();
api.MapSurveys();
app.MapPublicSurveys();
api.MapTestimonials();
app.MapPublicTestimonials();
api.MapConversion();
api.MapReviews();
api.MapBonus();
api.MapAudit();
api.MapPrivacy();
app.MapIngestion();
app.MapHub<LiveHub>(LiveHub.Path);
app.MapBenchmarkBaseline(benchmark, app.Environment);
app.MapAccount();

app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

static Task ApiAware(HttpContext http, string redirectUri, int status)
{
    if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs")) http.Response.StatusCode = status;
    else http.Response.Redirect(redirectUri);
    return Task.CompletedTask;
}

public partial class Program;
