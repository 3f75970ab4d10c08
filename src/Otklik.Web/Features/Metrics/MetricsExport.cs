using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;
using Otklik.Core.Metrics;

namespace Otklik.Web.Features.Metrics;

/// <summary>A metrics table as CSV (UTF-8 with BOM, invariant numbers) or an Excel workbook: the same columns in both.</summary>
public static class MetricsExport
{
    public static readonly string[] Header =
    [
        "key", "label", "green", "red", "suppressed", "receipts", "greenShare", "redRatePer100Receipts", "happinessIndex",
        "feedbackPositive", "feedbackNeutral", "feedbackNegative", "greenShareWeekOverWeek", "greenShareWeekOverWeekWithinNoise",
        "newPositiveReviews", "customersServed", "supportIndex", "supportIndexWeekOverWeek", "supportIndexWeekOverWeekWithinNoise",
    ];

    private static object?[] Values(MetricsRow r)
    {
        var wow = r.Trends.FirstOrDefault(t => t.Metric == "greenShare" && t.Kind == TrendKind.WeekOverWeek);
        var supportWow = r.Trends.FirstOrDefault(t => t.Metric == Reviews.SupportPeriods.MetricName && t.Kind == TrendKind.WeekOverWeek);
        return
        [
            r.Key, r.Label, r.Counts.Green, r.Counts.Red, r.Counts.Suppressed, r.Counts.Receipts, r.GreenShare, r.RedRatePer100Receipts, r.HappinessIndex,
            r.Counts.FeedbackPositive, r.Counts.FeedbackNeutral, r.Counts.FeedbackNegative, wow?.Change, wow?.WithinNoise,
            r.SupportIndex?.NewPositiveReviews, r.SupportIndex?.CustomersServed, r.SupportIndex?.Index, supportWow?.Change, supportWow?.WithinNoise,
        ];
    }

    private static IEnumerable<MetricsRow> AllRows(MetricsReport report) => [.. report.Rows, report.Totals];

    public static async Task<byte[]> ToCsvAsync(MetricsReport report, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with { WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape };
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var row in AllRows(report))
            {
                foreach (var v in Values(row))
                    csv.WriteField(v switch
                    {
                        null => "",
                        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                        bool b => b ? "true" : "false",
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => v.ToString() ?? "",
                    });
                await csv.EndRecordAsync(ct);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] ToXlsx(MetricsReport report, string sheet)
    {
        using var book = new XLWorkbook();
        var ws = book.Worksheets.Add(sheet);
        for (var c = 0; c < Header.Length; c++) ws.Cell(1, c + 1).Value = Header[c];
        var r = 2;
        foreach (var row in AllRows(report))
        {
            var values = Values(row);
            for (var c = 0; c < values.Length; c++)
            {
                var cell = ws.Cell(r, c + 1);
                switch (values[c])
                {
                    case null: break;
                    case string s: cell.SetValue(s); break; // as text: a name like "=1+1" stays a name
                    case long l: cell.Value = l; break;
                    case double d: cell.Value = d; break;
                    case bool b: cell.Value = b; break;
                    default: cell.SetValue(values[c]!.ToString()); break;
                }
            }
            r++;
        }
        ws.Row(1).Style.Font.Bold = true;
        // Fixed widths: measuring text (AdjustToContents) needs System.Drawing, which does not run on Linux.
        ws.Column(2).Width = 32;
        using var stream = new MemoryStream();
        book.SaveAs(stream);
        return stream.ToArray();
    }
}
