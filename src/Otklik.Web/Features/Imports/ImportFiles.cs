using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using CsvHelper;

namespace Otklik.Web.Features.Imports;

/// <summary>A file read into a header and rows of text cells, with the spreadsheet row number of each row.</summary>
/// <param name="Format">"csv" or "xlsx".</param>
/// <param name="Encoding">The text encoding of a CSV file ("utf-8", "windows-1251", "utf-16"); null for xlsx.</param>
/// <param name="EncodingDetected">True when the encoding was detected, false when the user chose it.</param>
public sealed record ImportTable(string Format, string? Encoding, bool EncodingDetected, IReadOnlyList<string> Headers, IReadOnlyList<ImportRow> Rows);

/// <summary>One data row: its number as a person sees it in the file (the header is row 1), and its cells.</summary>
public sealed record ImportRow(int Number, string[] Cells)
{
    public string Cell(int column) => column >= 0 && column < Cells.Length ? Cells[column] : "";
}

/// <summary>Why a file cannot be read; the message is for the person who uploaded it (<see cref="Text"/> is its UI text key).</summary>
public sealed class ImportFileException(string text, params object[] args) : Exception(string.Format(CultureInfo.InvariantCulture, text, args))
{
    public string Text { get; } = text;
    public object[] Args { get; } = args;
}

/// <summary>
/// Reads CSV (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1251; the separator , ; tab or | is detected)
/// and Excel .xlsx (the first worksheet). Old .xls and anything that is not text is refused with a clear message.
/// </summary>
public static class ImportFiles
{
    public const string Utf8 = "utf-8";
    public const string Windows1251 = "windows-1251";
    public const string Utf16 = "utf-16";
    public static readonly IReadOnlyList<string> Encodings = [Utf8, Windows1251];

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Cyrillic CSVs saved by Excel on Windows; the code page ships with .NET, no global registration needed.</summary>
    public static Encoding Cp1251 { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1251)!;

    /// <summary>Reads a file. <paramref name="encoding"/> overrides detection for CSV ("utf-8" or "windows-1251").</summary>
    /// <exception cref="ImportFileException">The file cannot be read; the message says why and what to do.</exception>
    public static ImportTable Read(ReadOnlySpan<byte> bytes, string? encoding, int maxRows)
    {
        if (bytes.Length == 0) throw new ImportFileException("The file is empty.");
        if (bytes.StartsWith("PK\u0003\u0004"u8)) return ReadXlsx(bytes.ToArray(), maxRows);
        if (bytes.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 }))
            throw new ImportFileException("This is an old Excel .xls file. Save it as .xlsx or as CSV and upload it again.");
        var (text, name, detected) = Decode(bytes, encoding);
        return ReadCsv(text, name, detected, maxRows);
    }

    /// <summary>
    /// Picks the encoding of a text file: a BOM wins; otherwise UTF-8 if the bytes decode strictly as UTF-8, otherwise
    /// Windows-1251 if the decoded text is plausible Russian (letters А–я, Ё, ё and common typographic signs make up
    /// nearly all non-ASCII characters). Control characters other than tab and line breaks mean it is not text at all.
    /// </summary>
    public static (string Text, string Encoding, bool Detected) Decode(ReadOnlySpan<byte> bytes, string? chosen)
    {
        if (!string.IsNullOrWhiteSpace(chosen))
        {
            var name = chosen.Trim().ToLowerInvariant();
            if (name is "utf8") name = Utf8;
            if (name is "cp1251" or "win1251" or "1251") name = Windows1251;
            string text;
            if (name == Utf8)
            {
                if (!TryUtf8(bytes, out text)) throw new ImportFileException("The file is not valid UTF-8. Try the encoding Windows-1251.");
            }
            else if (name == Windows1251) text = Cp1251.GetString(bytes);
            else throw new ImportFileException("Unknown encoding \"{0}\". Use utf-8 or windows-1251.", chosen);
            if (!LooksLikeText(text)) throw new ImportFileException("The file does not look like text in this encoding (it has control characters). Is it really a CSV file?");
            return (text, name, false);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            var utf16 = bytes[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
            var text = utf16.GetString(bytes[2..]);
            if (!LooksLikeText(text)) throw new ImportFileException(NotText);
            return (text, Utf16, true);
        }
        if (TryUtf8(bytes, out var utf8))
        {
            if (!LooksLikeText(utf8)) throw new ImportFileException(NotText);
            return (utf8, Utf8, true);
        }
        var cp1251 = Cp1251.GetString(bytes);
        if (LooksLikeText(cp1251) && LooksRussian(cp1251)) return (cp1251, Windows1251, true);
        throw new ImportFileException(NotText);
    }

    private const string NotText = "The file is neither UTF-8 nor Windows-1251 text, nor an Excel .xlsx workbook. Save it from Excel as \"CSV UTF-8\" or .xlsx and upload it again.";

    private static bool TryUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>No control characters besides tab, line breaks and form feed (binary files are full of them).</summary>
    internal static bool LooksLikeText(string text)
    {
        foreach (var c in text)
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n' or '\f')) return false;
        return true;
    }

    /// <summary>At least 95 % of the non-ASCII characters are Russian letters or the usual typographic signs.</summary>
    internal static bool LooksRussian(string text)
    {
        int other = 0, good = 0;
        foreach (var c in text)
        {
            if (c < 128) continue;
            if (c is (>= 'А' and <= 'я') or 'Ё' or 'ё' or '«' or '»' or '–' or '—' or '№' or '“' or '”' or '„' or '‘' or '’' or '…' or '\u00A0' or '°' or '•') good++;
            else other++;
        }
        return good > 0 && good >= (good + other) * 0.95;
    }

    private static ImportTable ReadCsv(string text, string encoding, bool detected, int maxRows)
    {
        var options = CsvReaderOptions.Default with { TrimWhitespace = true, FormatProvider = CultureInfo.InvariantCulture };
        var rows = new List<ImportRow>();
        string[] headers;
        try
        {
            using var csv = CsvReader.FromText(text, options);
            headers = [.. csv.Headers.Select(h => h.Trim())];
            while (csv.Read())
            {
                var cells = new string[csv.FieldCount];
                for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i);
                if (cells.All(string.IsNullOrWhiteSpace)) continue;
                if (rows.Count == maxRows) throw new ImportFileException("The file has more than {0} rows. Split it into smaller files.", maxRows);
                // RowNumber counts data records from 1; the header is row 1 of the file.
                rows.Add(new ImportRow(checked((int)csv.RowNumber + 1), cells));
            }
        }
        catch (CsvFormatException e)
        {
            throw new ImportFileException("The CSV file is malformed: {0}", e.Message);
        }
        return Table("csv", encoding, detected, headers, rows);
    }

    private static ImportTable ReadXlsx(byte[] bytes, int maxRows)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var book = new XLWorkbook(stream);
            var sheet = book.Worksheets.FirstOrDefault() ?? throw new ImportFileException("The workbook has no worksheets.");
            var used = sheet.RangeUsed();
            if (used is null) throw new ImportFileException("The first worksheet is empty.");
            var firstRow = used.FirstRow().RowNumber();
            var firstColumn = used.FirstColumn().ColumnNumber();
            var lastColumn = used.LastColumn().ColumnNumber();
            var width = lastColumn - firstColumn + 1;
            string[] Cells(IXLRow row)
            {
                var cells = new string[width];
                for (var i = 0; i < width; i++) cells[i] = CellText(row.Cell(firstColumn + i));
                return cells;
            }
            var headers = Cells(sheet.Row(firstRow)).Select(h => h.Trim()).ToArray();
            var rows = new List<ImportRow>();
            for (var r = firstRow + 1; r <= used.LastRow().RowNumber(); r++)
            {
                var cells = Cells(sheet.Row(r));
                if (cells.All(string.IsNullOrWhiteSpace)) continue;
                if (rows.Count == maxRows) throw new ImportFileException("The file has more than {0} rows. Split it into smaller files.", maxRows);
                rows.Add(new ImportRow(r, cells));
            }
            return Table("xlsx", null, false, headers, rows);
        }
        // A damaged or foreign zip fails deep inside the Open XML packaging with many exception types; any of them means "cannot read".
        catch (Exception e) when (e is not ImportFileException and not OutOfMemoryException)
        {
            throw new ImportFileException("The Excel file cannot be read. Save it again as .xlsx (or as CSV) and upload it again.");
        }
    }

    private static string CellText(IXLCell cell)
    {
        if (cell.IsEmpty()) return "";
        return cell.DataType switch
        {
            XLDataType.DateTime => cell.GetDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            XLDataType.Number => cell.GetDouble().ToString("R", CultureInfo.InvariantCulture),
            XLDataType.Boolean => cell.GetBoolean() ? "true" : "false",
            _ => cell.GetString().Trim(),
        };
    }

    private static ImportTable Table(string format, string? encoding, bool detected, string[] headers, List<ImportRow> rows)
    {
        if (headers.Length == 0 || headers.All(string.IsNullOrWhiteSpace)) throw new ImportFileException("The first row must hold the column names.");
        // Blank or repeated column names get a number, so every column can be chosen in the mapping.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Length; i++)
        {
            var name = string.IsNullOrWhiteSpace(headers[i]) ? $"#{i + 1}" : headers[i];
            while (!seen.Add(name)) name += $" ({i + 1})";
            headers[i] = name;
        }
        return new ImportTable(format, encoding, format == "csv" && detected, headers, rows);
    }
}
