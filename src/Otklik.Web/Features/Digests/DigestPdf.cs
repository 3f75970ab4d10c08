using System.Globalization;
using Microsoft.Extensions.Localization;
using Otklik.Core.Reports;
using Otklik.Web.Features.Cards;
using Otklik.Web.Localization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Otklik.Web.Features.Digests;

/// <summary>Texts and numbers of a digest as lines, in the digest's language; the PDF and the e-mail body share them.</summary>
public static class DigestText
{
    public sealed record Line(string Metric, string Value, string Previous, string Change);

    /// <summary>Runs <paramref name="work"/> with the digest's language as the current culture.</summary>
    public static T In<T>(string language, Func<T> work)
    {
        var previous = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        var culture = CultureInfo.GetCultureInfo(language == "en" ? "en" : "ru");
        CultureInfo.CurrentUICulture = culture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            return work();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = previous;
        }
    }

    public static string Period(DigestPeriod p) => p.Days == 1
        ? p.From.ToString("d", CultureInfo.CurrentCulture)
        : $"{p.From.ToString("d", CultureInfo.CurrentCulture)} – {p.To.ToString("d", CultureInfo.CurrentCulture)}";

    public static string Title(IStringLocalizer<Ui> L, DigestReport r) => string.Format(CultureInfo.CurrentCulture, L["Otklik digest: {0}"], r.Organization);

    public static string Subtitle(IStringLocalizer<Ui> L, DigestReport r) =>
        string.Format(CultureInfo.CurrentCulture, L["Period {0}, compared with {1}"], Period(r.Period), Period(r.Period.Previous));

    public static IReadOnlyList<Line> Lines(IStringLocalizer<Ui> L, DigestSection s)
    {
        var c = s.Current;
        var p = s.Previous;
        return
        [
            new(L["Presses"], Count(c.Presses), Count(p.Presses), Relative(s.Presses)),
            new(L["Green share"], Percent(c.GreenShare), Percent(p.GreenShare), Points(L, s.GreenShare) + Noise(s.GreenShare)),
            new(L["Red rate per 100 receipts"], Number(c.RedRatePer100Receipts, "0.0"), Number(p.RedRatePer100Receipts, "0.0"), Signed(s.RedRate.Difference, "0.0")),
            new(L["NPS"], Nps(c.Nps), Nps(p.Nps), Signed(s.Nps.Difference, "0")),
            new(L["Happiness index"], Percent(c.HappinessIndex), Percent(p.HappinessIndex), Points(L, s.Happiness) + Noise(s.Happiness)),
            new(L["Support index (per 1,000 customers)"], Support(c.SupportIndex), Support(p.SupportIndex), Signed(s.Support.Difference, "0.0#") + Noise(s.Support)),
        ];
    }

    /// <summary>The footnote explaining "~", when a line of the sections carries it.</summary>
    public static string? NoiseNote(IStringLocalizer<Ui> L, IEnumerable<DigestSection> sections) =>
        sections.Any(s => new[] { s.GreenShare, s.Happiness, s.Support }.Any(c => Noise(c).Length > 0)) ? L["~ marks a change within noise."].Value : null;

    /// <summary>" ~" after a known change that a noise test found insignificant.</summary>
    private static string Noise(DigestChange c) => c is { Difference: not null, WithinNoise: true } ? " ~" : "";

    public static string Causes(IStringLocalizer<Ui> L, DigestSection s) =>
        s.TopCauses.Count == 0 ? L["No complaints with a reason."]
            : string.Join("; ", s.TopCauses.Select(x => $"{x.Name} — {x.Count.ToString("N0", CultureInfo.CurrentCulture)}"));

    private static string Count(long n) => n.ToString("N0", CultureInfo.CurrentCulture);
    private static string Percent(double? share) => share is { } v ? v.ToString("P1", CultureInfo.CurrentCulture) : "—";
    private static string Number(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.CurrentCulture) : "—";
    private static string Signed(double? v, string format) => v is { } x ? (x > 0 ? "+" : x < 0 ? "−" : "±") + Math.Abs(x).ToString(format, CultureInfo.CurrentCulture) : "—";
    private static string Points(IStringLocalizer<Ui> L, DigestChange c) => c.Difference is { } d ? $"{Signed(100 * d, "0.0")} {L["pp"]}" : "—";
    private static string Relative(DigestChange c) => c.Difference is not { } d ? "—"
        : Signed(d, "N0") + (c.Relative is { } r ? $" ({Signed(100 * r, "0")} %)" : "");

    private static string Nps(Otklik.Core.Metrics.NpsResult n) => n.Score is { } s
        ? $"{(s > 0 ? "+" : s < 0 ? "−" : "")}{Math.Abs(s).ToString("0", CultureInfo.CurrentCulture)} (n = {n.N.ToString(CultureInfo.CurrentCulture)})"
        : "— (n = 0)";

    private static string Support(Otklik.Core.Metrics.SupportIndexResult? r) => r?.PerThousandCustomers is { } v
        ? $"{v.ToString("0.0#", CultureInfo.CurrentCulture)} ({r.NewPositiveReviews.ToString(CultureInfo.CurrentCulture)})"
        : r is null ? "—" : $"— ({r.NewPositiveReviews.ToString(CultureInfo.CurrentCulture)})";
}

/// <summary>The digest as an A4 PDF (PDFsharp, the cards' fonts so Cyrillic renders): title, period, totals and a table per location.</summary>
public static class DigestPdf
{
    private const double Margin = 40;

    public static byte[] Render(DigestReport report, IStringLocalizer<Ui> L) => DigestText.In(report.Language, () => RenderCore(report, L));

    private static byte[] RenderCore(DigestReport report, IStringLocalizer<Ui> L)
    {
        CardFonts.EnsureRegistered();
        using var document = new PdfDocument();
        document.Info.Title = DigestText.Title(L, report);
        document.Info.Creator = "Otklik";
        var title = new XFont(CardFonts.Family, 16, XFontStyleEx.Bold);
        var heading = new XFont(CardFonts.Family, 12, XFontStyleEx.Bold);
        var body = new XFont(CardFonts.Family, 9, XFontStyleEx.Regular);
        var bold = new XFont(CardFonts.Family, 9, XFontStyleEx.Bold);

        PdfPage page = null!;
        XGraphics g = null!;
        double y = 0, width = 0, bottom = 0;
        void NewPage()
        {
            g?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            g = XGraphics.FromPdfPage(page);
            width = page.Width.Point - 2 * Margin;
            bottom = page.Height.Point - Margin;
            y = Margin;
        }
        void Ensure(double height)
        {
            if (y + height > bottom) NewPage();
        }

        NewPage();
        g.DrawString(DigestText.Title(L, report), title, XBrushes.Black, new XRect(Margin, y, width, 20), XStringFormats.TopLeft);
        y += 24;
        g.DrawString(DigestText.Subtitle(L, report), body, XBrushes.DimGray, new XRect(Margin, y, width, 12), XStringFormats.TopLeft);
        y += 22;

        var sections = report.Locations.Count == 1 ? report.Locations : [report.Total with { Name = L["All locations"] }, .. report.Locations];
        if (sections.Count == 0)
            g.DrawString(L["No locations."], body, XBrushes.Black, new XRect(Margin, y, width, 12), XStringFormats.TopLeft);
        double[] columns = [0.40, 0.20, 0.20, 0.20];
        foreach (var section in sections)
        {
            var lines = DigestText.Lines(L, section);
            Ensure(18 + 14 * (lines.Count + 1) + 30);
            g.DrawString(section.Name, heading, XBrushes.Black, new XRect(Margin, y, width, 16), XStringFormats.TopLeft);
            y += 18;
            Row([L["Metric"], L["This period"], L["Previous period"], L["Change"]], bold, XBrushes.DimGray);
            g.DrawLine(XPens.LightGray, Margin, y, Margin + width, y);
            foreach (var line in lines) Row([line.Metric, line.Value, line.Previous, line.Change], body, XBrushes.Black);
            y += 4;
            var causes = $"{L["Top complaint causes"]}: {DigestText.Causes(L, section)}";
            foreach (var part in Wrap(g, causes, body, width))
            {
                Ensure(12);
                g.DrawString(part, body, XBrushes.Black, new XRect(Margin, y, width, 12), XStringFormats.TopLeft);
                y += 12;
            }
            y += 14;
        }
        if (DigestText.NoiseNote(L, sections) is { } note)
        {
            Ensure(12);
            g.DrawString(note, body, XBrushes.DimGray, new XRect(Margin, y, width, 12), XStringFormats.TopLeft);
        }
        g.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();

        void Row(string[] cells, XFont font, XBrush brush)
        {
            var x = Margin;
            for (var i = 0; i < cells.Length; i++)
            {
                var w = columns[i] * width;
                var format = i == 0 ? XStringFormats.TopLeft : XStringFormats.TopRight;
                g.DrawString(Fit(g, cells[i], font, w - 6), font, brush, new XRect(x, y + 2, w - 6, 12), format);
                x += w;
            }
            y += 14;
        }
    }

    private static string Fit(XGraphics g, string text, XFont font, double width)
    {
        if (g.MeasureString(text, font).Width <= width) return text;
        var cut = text;
        while (cut.Length > 1 && g.MeasureString(cut + "…", font).Width > width) cut = cut[..^1];
        return cut + "…";
    }

    private static IEnumerable<string> Wrap(XGraphics g, string text, XFont font, double width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var next = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && g.MeasureString(next, font).Width > width)
            {
                yield return line;
                line = word;
            }
            else line = next;
        }
        if (line.Length > 0) yield return line;
    }
}
