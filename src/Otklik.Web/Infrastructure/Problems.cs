using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Otklik.Web.Infrastructure;

/// <summary>
/// Bad input must end as a clear 4xx ProblemDetails, never a 500. Binding failures (malformed JSON, wrong types)
/// are thrown by minimal APIs (ThrowOnBadRequest) so that no handler ever runs on half-bound input.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read.", Describe(bad)),
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, "The resource was changed by someone else.", "Reload it and try again."),
            DbUpdateException => (StatusCodes.Status409Conflict, "The change conflicts with existing data.", "A referenced item may be in use or a unique value taken."),
            _ => (0, "", ""),
        };
        if (status == 0) return false;
        log.LogInformation("Rejected {Method} {Path}: {Status} {Message}", context.Request.Method, context.Request.Path, status, exception.Message);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string Describe(BadHttpRequestException bad) =>
        bad.InnerException switch
        {
            System.Text.Json.JsonException json => $"The JSON body is malformed or has a wrong type at {json.Path ?? "$"}{(json.LineNumber is { } l ? $" (line {l + 1})" : "")}.",
            _ => bad.Message,
        };
}

public static class Problem
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict.", detail: detail);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors);
}

/// <summary>Collects every bad field of a request, so the answer lists them all at once.</summary>
public sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IEnumerable<KeyValuePair<string, List<string>>> Fields => _errors;

    public Errors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Errors Check(bool ok, string field, string message) => ok ? this : Add(field, message);

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}

/// <summary>A page of a list: <c>?page=1&amp;pageSize=50</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

public sealed record Paging(int? Page, int? PageSize)
{
    public const int MaxPageSize = 500;
    public int Number => Math.Max(1, Page ?? 1);
    public int Size => Math.Clamp(PageSize ?? 50, 1, MaxPageSize);

    public async Task<Page<TOut>> ApplyAsync<TIn, TOut>(IQueryable<TIn> query, Func<TIn, TOut> map, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var items = await query.Skip((Number - 1) * Size).Take(Size).ToListAsync(ct);
        return new Page<TOut>(items.Select(map).ToList(), total, Number, Size);
    }
}
