using System.Diagnostics;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>The text of a PDF as poppler's pdftotext reads it (with -layout, so a table row stays on one line).</summary>
public static class PdfText
{
    public static async Task<string> ExtractAsync(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"otklik-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            var start = new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start (install poppler-utils).");
            var text = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"pdftotext failed: {errors}");
            return text;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The first line that starts (after spaces) with <paramref name="label"/>, its cells split on runs of two or more spaces.</summary>
    public static string[] Row(string text, string label) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal)) is { } line
            ? System.Text.RegularExpressions.Regex.Split(line, @"\s{2,}")
            : throw new Xunit.Sdk.XunitException($"No line starting with '{label}' in:\n{text}");
}
