using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using ZXing;
using ZXing.Common;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>Reads QR codes back from PNGs and from PDF pages (rendered by poppler's pdftoppm), with ZXing.</summary>
public static class QrDecoding
{
    public static string? Decode(byte[] gray, int width, int height)
    {
        var source = new RGBLuminanceSource(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(source)?.Text
            ?? new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true, PureBarcode = true } }.Decode(source)?.Text;
    }

    public static string? DecodePng(byte[] png)
    {
        var (gray, width, height) = Png.ToGray(png);
        return Decode(gray, width, height);
    }

    /// <summary>
    /// Renders every page of a PDF in gray with pdftoppm and decodes the QR code in each horizontal band
    /// (a card has its codes one above the other). Returns per page the decoded texts, top to bottom.
    /// </summary>
    public static async Task<List<List<string>>> DecodePdfAsync(byte[] pdf, int bands)
    {
        var folder = Directory.CreateTempSubdirectory("otklik-pdf-");
        try
        {
            var input = Path.Combine(folder.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, pdf);
            using var process = Process.Start(new ProcessStartInfo("pdftoppm", ["-r", "150", "-gray", input, Path.Combine(folder.FullName, "page")])
                { RedirectStandardError = true })
                ?? throw new InvalidOperationException("pdftoppm did not start (install poppler-utils; ./test.sh does).");
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "pdftoppm failed: " + errors);
            var pages = new List<List<string>>();
            foreach (var file in Directory.GetFiles(folder.FullName, "page*.pgm").Order(StringComparer.Ordinal))
            {
                var (gray, width, height) = Pgm(await File.ReadAllBytesAsync(file));
                var texts = new List<string>();
                var band = height / bands;
                for (var b = 0; b < bands; b++)
                    if (Decode(gray.AsSpan(b * band * width, band * width).ToArray(), width, band) is { } text) texts.Add(text);
                pages.Add(texts);
            }
            return pages;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A binary PGM (P5, 8 bits) as pdftoppm -gray writes it.</summary>
    private static (byte[] Gray, int Width, int Height) Pgm(byte[] bytes)
    {
        var fields = new List<string>();
        var i = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)bytes[i])) i++;
            if (bytes[i] == '#') { while (bytes[i] != '\n') i++; continue; }
            var start = i;
            while (!char.IsWhiteSpace((char)bytes[i])) i++;
            fields.Add(System.Text.Encoding.ASCII.GetString(bytes, start, i - start));
        }
        Assert.Equal("P5", fields[0]);
        var (w, h) = (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
        return (bytes.AsSpan(i + 1, w * h).ToArray(), w, h);
    }
}

/// <summary>Just enough of PNG to read QR images: non-interlaced, any colour type, 1–8 bits a sample.</summary>
public static class Png
{
    public static (byte[] Gray, int Width, int Height) ToGray(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "Not a PNG.");
        int width = 0, height = 0, depth = 0, colour = 0;
        byte[] palette = [];
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colour = data[9];
                    Assert.Equal(0, data[12]); // not interlaced
                    break;
                case "PLTE": palette = data.ToArray(); break;
                case "IDAT": idat.Write(data); break;
            }
            at += 12 + length;
        }
        var channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new NotSupportedException($"PNG colour type {colour}") };
        var bitsPerPixel = channels * depth;
        var stride = (width * bitsPerPixel + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var rows = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = bytes[y * (stride + 1)];
            var src = bytes.AsSpan(y * (stride + 1) + 1, stride);
            var row = rows.AsSpan(y * stride, stride);
            var prior = y > 0 ? rows.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? row[x - bpp] : 0, b = prior[x], c = x >= bpp ? prior[x - bpp] : 0;
                row[x] = (byte)(src[x] + filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new NotSupportedException($"PNG filter {filter}"),
                });
            }
        }
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var offset = y * stride;
                int Sample(int index)
                {
                    if (depth == 8) return rows[offset + index];
                    var bit = index * depth;
                    return (rows[offset + bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
                }
                var scale = 255 / ((1 << depth) - 1);
                gray[y * width + x] = (byte)(colour switch
                {
                    0 or 4 => Sample(x * channels) * scale,
                    3 => Luma(palette[Sample(x) * 3], palette[Sample(x) * 3 + 1], palette[Sample(x) * 3 + 2]),
                    _ => Luma(Sample(x * channels) * scale, Sample(x * channels + 1) * scale, Sample(x * channels + 2) * scale),
                });
            }
        return (gray, width, height);
    }

    private static int Luma(int r, int g, int b) => (r * 299 + g * 587 + b * 114) / 1000;

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
