namespace Otklik.Web.Tests.Infrastructure;

/// <summary>Small files with real signatures, for attachment tests. Only the first bytes matter to the server.</summary>
public static class Files
{
    public static byte[] Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];

    public static byte[] Jpeg => [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9];

    public static byte[] Pdf => "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"u8.ToArray();

    public static byte[] Gif => "GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;"u8.ToArray();

    /// <summary>A JPEG header followed by padding up to <paramref name="size"/> bytes.</summary>
    public static byte[] JpegOfSize(int size)
    {
        var bytes = new byte[size];
        Jpeg.CopyTo(bytes, 0);
        return bytes;
    }
}
