using System.Net;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tests.Infrastructure;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace Otklik.Web.Tests.Features.Cards;

/// <summary>
/// Printable QR cards: the codes decode to the feedback page and the maps page, in PNG and in the PDF (drawn as vector
/// squares, so the PDF is rendered with poppler's pdftoppm and decoded with ZXing).
/// </summary>
public abstract class CardsTests(OtklikApp app)
{
    private async Task<(TestOrg Org, LocationDto Yandex, LocationDto Gis, LocationDto Bare)> PlacesAsync()
    {
        var org = await app.NewOrganizationAsync("Кофейни «Зерно»");
        using var http = org.Owner();
        async Task<LocationDto> Add(object body) => await (await http.PostJsonAsync("/api/v1/locations", body)).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var yandex = await Add(new { name = "Зерно на Тверской", yandexMapsUrl = "https://yandex.ru/maps/org/zerno/123", googleMapsUrl = "https://maps.google.com/?cid=1" });
        var gis = await Add(new { name = "Зерно у вокзала", twoGisUrl = "https://2gis.ru/moscow/firm/456" });
        var bare = await Add(new { name = "Зерно без карт" });
        return (org, yandex, gis, bare);
    }

    private string FeedbackUrl(LocationDto l) => new Uri(app.BaseAddress, $"/f/{l.Slug}").AbsoluteUri;

    [Fact]
    public async Task QrPngs_DecodeToTheFeedbackPage_AndTheFirstMapsLink()
    {
        var (org, yandex, gis, bare) = await PlacesAsync();
        using var http = org.Owner();

        var feedback = await http.GetAsync($"/api/v1/locations/{yandex.Id}/card/qr/feedback.png");
        var review = await http.GetAsync($"/api/v1/locations/{yandex.Id}/card/qr/review.png");
        var gisReview = await http.GetAsync($"/api/v1/locations/{gis.Id}/card/qr/review.png");
        var bareReview = await http.GetAsync($"/api/v1/locations/{bare.Id}/card/qr/review.png");

        Assert.Equal("image/png", feedback.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FeedbackUrl(yandex), QrDecoding.DecodePng(await feedback.Content.ReadAsByteArrayAsync()));
        Assert.Equal("https://yandex.ru/maps/org/zerno/123", QrDecoding.DecodePng(await review.Content.ReadAsByteArrayAsync()));
        Assert.Equal("https://2gis.ru/moscow/firm/456", QrDecoding.DecodePng(await gisReview.Content.ReadAsByteArrayAsync()));
        await bareReview.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OneCardPdf_IsAnA6Page_WithTwoImages_WhoseCodesDecode()
    {
        var (org, yandex, _, _) = await PlacesAsync();
        using var http = org.Owner();

        var response = await http.GetAsync($"/api/v1/locations/{yandex.Id}/card.pdf");

        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        var page = Assert.Single(document.Pages.Cast<PdfPage>());
        Assert.Equal((105.0, 148.0), (Math.Round(page.Width.Millimeter), Math.Round(page.Height.Millimeter)));
        var decoded = Assert.Single(await QrDecoding.DecodePdfAsync(pdf, bands: 2));
        Assert.Equal([FeedbackUrl(yandex), "https://yandex.ru/maps/org/zerno/123"], decoded);
    }

    [Fact]
    public async Task BatchPdf_HasOneCardPerLocation_InNameOrder()
    {
        var (org, yandex, gis, bare) = await PlacesAsync();
        using var http = org.Owner();

        var pdf = await (await http.GetAsync("/api/v1/locations/cards.pdf")).Content.ReadAsByteArrayAsync();

        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        Assert.Equal(3, document.PageCount);
        // By name: "без карт", "на Тверской", "у вокзала".
        var pages = await QrDecoding.DecodePdfAsync(pdf, bands: 2);
        Assert.Equal([FeedbackUrl(bare)], pages[0]);
        Assert.Equal([FeedbackUrl(yandex), "https://yandex.ru/maps/org/zerno/123"], pages[1]);
        Assert.Equal([FeedbackUrl(gis), "https://2gis.ru/moscow/firm/456"], pages[2]);
    }

    [Fact]
    public async Task PrintView_ShowsEveryCard_WithEncodedNames_AndTheOrganizationsLanguage()
    {
        var (org, yandex, _, _) = await PlacesAsync();
        using var owner = org.Owner();
        await (await owner.PostJsonAsync("/api/v1/locations", new { name = "<script>alert(1)</script>" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        using var http = org.Owner();

        var html = await (await http.GetAsync("/print/cards")).Content.ReadAsStringAsync();
        var one = await (await http.GetAsync($"/print/cards?location={yandex.Id}")).Content.ReadAsStringAsync();

        Assert.Equal(4, html.Split("class=\"card\"").Length - 1);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("Что-то пошло не так? Расскажите нам", html, StringComparison.Ordinal);
        Assert.Contains("Кофейни «Зерно»", html, StringComparison.Ordinal);
        Assert.Equal(1, one.Split("class=\"card\"").Length - 1);
        Assert.Contains(FeedbackUrl(yandex), one, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfiguredPublicAddress_IsWhatTheCodesPointTo_ElseTheRequestsAddress()
    {
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Host = new Microsoft.AspNetCore.Http.HostString("shop.local:5000");

        var configured = Otklik.Web.Features.Cards.Cards.BaseUrl(request, new() { PublicBaseUrl = "https://otklik.example.com/" });
        var fallback = Otklik.Web.Features.Cards.Cards.BaseUrl(request, new() { PublicBaseUrl = null });

        Assert.Equal("https://otklik.example.com", configured);
        Assert.Equal("http://shop.local:5000", fallback);
        Assert.Equal("https://otklik.example.com/f/abc", QrDecoding.DecodePng(Otklik.Web.Features.Cards.Cards.QrPng(configured + "/f/abc")));
    }
}

public sealed class CardsSqliteTests(SqliteApp app) : CardsTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class CardsPostgresTests(PostgresApp app) : CardsTests(app), IClassFixture<PostgresApp>;
