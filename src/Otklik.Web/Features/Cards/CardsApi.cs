using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Cards.Pages;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Infrastructure;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cards;

/// <summary>Printable QR cards: a PDF per location or for all, the QR codes as PNG, and an HTML print view.</summary>
public static class CardsApi
{
    public static IEndpointRouteBuilder MapCards(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/locations").WithTags("Cards");
        api.MapGet("/cards.pdf", AllPdf).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}/card.pdf", OnePdf).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}/card/qr/feedback.png", (Guid id, OtklikDb db, HttpRequest request, IOptions<FeedbackOptions> options, CancellationToken ct) =>
            QrAsync(id, db, request, options.Value, review: false, ct)).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}/card/qr/review.png", (Guid id, OtklikDb db, HttpRequest request, IOptions<FeedbackOptions> options, CancellationToken ct) =>
            QrAsync(id, db, request, options.Value, review: true, ct)).RequireAuthorization(Policies.Read);
        return routes;
    }

    /// <summary>The print view for people: /print/cards (all locations) or /print/cards?location={id}; cookie sign-in.</summary>
    public static IEndpointRouteBuilder MapCardsPrint(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/print/cards", Print).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AllPdf(
        OtklikDb db, HttpRequest request, IOptions<FeedbackOptions> options, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        var cards = await Cards.LoadAsync(db, request, options.Value, null, ct);
        if (cards.Count == 0) return Problem.NotFound("Location");
        return TypedResults.File(Cards.Pdf(cards, L), "application/pdf", "cards.pdf");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> OnePdf(
        Guid id, OtklikDb db, HttpRequest request, IOptions<FeedbackOptions> options, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        var cards = await Cards.LoadAsync(db, request, options.Value, id, ct);
        if (cards.Count == 0) return Problem.NotFound("Location");
        return TypedResults.File(Cards.Pdf(cards, L), "application/pdf", $"card-{id:N}.pdf");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> QrAsync(
        Guid id, OtklikDb db, HttpRequest request, FeedbackOptions options, bool review, CancellationToken ct)
    {
        var card = (await Cards.LoadAsync(db, request, options, id, ct)).SingleOrDefault();
        if (card is null) return Problem.NotFound("Location");
        var url = review ? card.ReviewUrl : card.FeedbackUrl;
        if (url is null) return Problem.NotFound("Maps link");
        return TypedResults.File(Cards.QrPng(url), "image/png");
    }

    private static async Task<IResult> Print(Guid? location, OtklikDb db, HttpRequest request, IOptions<FeedbackOptions> options, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        var cards = await Cards.LoadAsync(db, request, options.Value, location, ct);
        if (cards.Count == 0) return Problem.NotFound("Location");
        var printed = cards.Select(c => new PrintedCard(c, Cards.Texts(L, c), DataUri(Cards.QrPng(c.FeedbackUrl)), c.ReviewUrl is { } r ? DataUri(Cards.QrPng(r)) : null)).ToList();
        return new RazorComponentResult<CardsPrint>(new { Cards = printed });
    }

    private static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}

public sealed record PrintedCard(CardData Card, Cards.CardTexts Texts, string FeedbackQr, string? ReviewQr);
