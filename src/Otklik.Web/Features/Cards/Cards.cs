using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Localization;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using QRCoder;

namespace Otklik.Web.Features.Cards;

/// <summary>What one printed card shows. <see cref="ReviewUrl"/> is null when the location has no maps link yet.</summary>
public sealed record CardData(
    Guid LocationId, string Organization, string Location, string Language, string FeedbackUrl, string? ReviewUrl, string? ReviewService);

/// <summary>
/// The card at the till: two QR codes, "tell us what went wrong" (our page /f/{slug}) and "leave a review" (the first
/// maps link the location has: Yandex Maps, 2GIS, Google Maps). A6 portrait, one card per PDF page.
/// The organization has no logo field yet, so the card carries its name.
/// </summary>
public static class Cards
{
    public const double WidthMm = 105;
    public const double HeightMm = 148;

    /// <summary>Cards for one location or, with null, for every location the caller sees, by name.</summary>
    public static async Task<List<CardData>> LoadAsync(OtklikDb db, HttpRequest request, FeedbackOptions options, Guid? locationId, CancellationToken ct)
    {
        var query = db.Locations.AsNoTracking();
        if (locationId is { } id) query = query.Where(l => l.Id == id);
        var locations = await query.OrderBy(l => l.Name).ThenBy(l => l.Id).ToListAsync(ct);
        if (locations.Count == 0) return [];
        var orgId = locations[0].OrganizationId;
        var org = await db.Organizations.AsNoTracking().Where(o => o.Id == orgId).Select(o => new { o.Name, o.Language }).FirstAsync(ct);
        var baseUrl = BaseUrl(request, options);
        return locations.Select(l =>
        {
            var (service, review) = Review(l);
            return new CardData(l.Id, org.Name, l.Name, org.Language == "en" ? "en" : "ru", $"{baseUrl}/f/{Uri.EscapeDataString(l.Slug)}", review, service);
        }).ToList();
    }

    /// <summary>The configured public address, else the address the request came to.</summary>
    public static string BaseUrl(HttpRequest request, FeedbackOptions options) =>
        Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var configured) && configured.Scheme is "https" or "http"
            ? configured.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";

    private static (string? Service, string? Url) Review(Location l)
    {
        foreach (var (service, url) in new[] { ("Yandex Maps", l.YandexMapsUrl), ("2GIS", l.TwoGisUrl), ("Google Maps", l.GoogleMapsUrl) })
            if (Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http") return (service, u.AbsoluteUri);
        return (null, null);
    }

    /// <summary>A PNG QR code, black on white with the standard quiet zone.</summary>
    public static byte[] QrPng(string url, int pixelsPerModule = 10)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule);
    }

    /// <summary>The texts of a card in its organization's language.</summary>
    public sealed record CardTexts(string Feedback, string FeedbackHint, string Review, string NoReview);

    public static CardTexts Texts(IStringLocalizer<Ui> L, CardData card)
    {
        var previous = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        var culture = CultureInfo.GetCultureInfo(card.Language);
        CultureInfo.CurrentUICulture = culture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            var service = card.ReviewService switch { "2GIS" => L["2GIS"].Value, "Yandex Maps" => L["Yandex Maps"].Value, var s => s ?? "" };
            return new CardTexts(L["Something went wrong? Tell us"], L["Scan the code: it takes 20 seconds"],
                string.Format(CultureInfo.CurrentCulture, L["Leave a review on {0}"], service), L["Add a maps link to the location to print the review code"]);
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = previous;
        }
    }

    /// <summary>One A6 page per card.</summary>
    public static byte[] Pdf(IReadOnlyList<CardData> cards, IStringLocalizer<Ui> L)
    {
        CardFonts.EnsureRegistered();
        using var document = new PdfDocument();
        document.Info.Title = cards.Count == 1 ? cards[0].Location : cards.FirstOrDefault()?.Organization ?? "Otklik";
        document.Info.Creator = "Otklik";
        var title = new XFont(CardFonts.Family, 15, XFontStyleEx.Bold);
        var subtitle = new XFont(CardFonts.Family, 10, XFontStyleEx.Regular);
        var heading = new XFont(CardFonts.Family, 11, XFontStyleEx.Bold);
        var small = new XFont(CardFonts.Family, 7, XFontStyleEx.Regular);
        foreach (var card in cards)
        {
            var texts = Texts(L, card);
            var page = document.AddPage();
            page.Width = XUnit.FromMillimeter(WidthMm);
            page.Height = XUnit.FromMillimeter(HeightMm);
            using var g = XGraphics.FromPdfPage(page);
            var w = page.Width.Point;
            double Mm(double mm) => XUnit.FromMillimeter(mm).Point;
            var margin = Mm(7);
            var box = new XRect(margin, Mm(6), w - 2 * margin, Mm(8));
            g.DrawString(Fit(g, card.Organization, title, box.Width), title, XBrushes.Black, box, XStringFormats.TopCenter);
            box.Y += Mm(7);
            g.DrawString(Fit(g, card.Location, subtitle, box.Width), subtitle, XBrushes.DimGray, box, XStringFormats.TopCenter);

            var qr = Mm(44);
            var y = Mm(24);
            Section(g, texts.Feedback, texts.FeedbackHint, card.FeedbackUrl, card.FeedbackUrl, y);
            y += Mm(60);
            if (card.ReviewUrl is { } review) Section(g, texts.Review, null, review, null, y);
            else g.DrawString(texts.NoReview, small, XBrushes.DimGray, new XRect(margin, y, w - 2 * margin, Mm(10)), XStringFormats.TopCenter);

            void Section(XGraphics gfx, string head, string? hint, string url, string? caption, double top)
            {
                gfx.DrawString(Fit(gfx, head, heading, w - 2 * margin), heading, XBrushes.Black, new XRect(margin, top, w - 2 * margin, Mm(6)), XStringFormats.TopCenter);
                DrawQr(gfx, url, (w - qr) / 2, top + Mm(6), qr);
                var below = top + Mm(6) + qr + Mm(1);
                if (hint is not null) gfx.DrawString(hint, small, XBrushes.DimGray, new XRect(margin, below, w - 2 * margin, Mm(4)), XStringFormats.TopCenter);
                if (caption is not null) gfx.DrawString(Fit(gfx, caption, small, w - 2 * margin), small, XBrushes.DimGray, new XRect(margin, below + Mm(3.5), w - 2 * margin, Mm(4)), XStringFormats.TopCenter);
            }
        }
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The QR code as vector squares (sharp at any print size), one rectangle per run of dark modules.</summary>
    private static void DrawQr(XGraphics g, string url, double x, double y, double size)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var n = matrix.Count;
        var cell = size / n;
        g.DrawRectangle(XBrushes.White, x, y, size, size);
        for (var row = 0; row < n; row++)
            for (var col = 0; col < n; col++)
            {
                if (!matrix[row][col]) continue;
                var start = col;
                while (col + 1 < n && matrix[row][col + 1]) col++;
                // A hair taller than a cell, so no light seam shows between rows.
                g.DrawRectangle(XBrushes.Black, x + start * cell, y + row * cell, (col - start + 1) * cell, cell + 0.05);
            }
    }

    /// <summary>Cuts a text that would not fit on one line, with an ellipsis.</summary>
    private static string Fit(XGraphics g, string text, XFont font, double width)
    {
        if (g.MeasureString(text, font).Width <= width) return text;
        var cut = text;
        while (cut.Length > 1 && g.MeasureString(cut + "…", font).Width > width) cut = cut[..^1];
        return cut + "…";
    }
}

/// <summary>
/// PDFsharp needs font files on Linux: DejaVu Sans (Debian's fonts-dejavu-core, Cyrillic included) or Liberation Sans,
/// or the files named by the OTKLIK_CARD_FONT / OTKLIK_CARD_FONT_BOLD environment variables.
/// </summary>
public sealed class CardFonts : IFontResolver
{
    public const string Family = "Otklik Card";
    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly string[] Regular =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly string[] Bold =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", @"C:\Windows\Fonts\arialbd.ttf",
    ];

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered) return;
            GlobalFontSettings.FontResolver = new CardFonts();
            _registered = true;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "card-bold" : "card-regular");

    public byte[]? GetFont(string faceName)
    {
        var candidates = faceName == "card-bold" ? [Environment.GetEnvironmentVariable("OTKLIK_CARD_FONT_BOLD"), .. Bold] : (string?[])[Environment.GetEnvironmentVariable("OTKLIK_CARD_FONT"), .. Regular];
        var path = candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException("No TrueType font found for printing cards. Install fonts-dejavu-core or set OTKLIK_CARD_FONT and OTKLIK_CARD_FONT_BOLD.");
        return File.ReadAllBytes(path);
    }
}
