using Otklik.Web.Features.Ingestion;

namespace Otklik.Web.Features.Cases;

public static class CasesSetup
{
    /// <summary>Cases opened from negative feedback and (by rule) red presses, their service, templates and the overdue worker.</summary>
    public static IServiceCollection AddCases(this IServiceCollection services)
    {
        services.AddScoped<CaseOpener>();
        services.AddScoped<IFeedbackStoringHook>(sp => sp.GetRequiredService<CaseOpener>());
        services.AddScoped<IPressCommitHook>(sp => sp.GetRequiredService<CaseOpener>());
        services.AddScoped<CaseService>();
        services.AddScoped<CaseTemplates>();
        services.AddSingleton<CaseOverdueWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseOverdueWorker>());
        return services;
    }

    public static IEndpointRouteBuilder MapCaseRoutes(this IEndpointRouteBuilder api)
    {
        api.MapCases();
        CaseTemplates.MapResponseTemplates(api);
        api.MapCaseSharing();
        return api;
    }
}
