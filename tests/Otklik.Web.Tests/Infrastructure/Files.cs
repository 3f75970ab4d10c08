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

    /// <summary>A real, playable WAV: 16-bit mono PCM at 8 kHz, a 440 Hz tone of <paramref name="milliseconds"/>.</summary>
    public static byte[] Wav(int milliseconds = 250)
    {
        const int rate = 8000;
        var samples = rate * milliseconds / 1000;
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
            w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
            w.Write("data"u8); w.Write(samples * 2);
            for (var i = 0; i < samples; i++) w.Write((short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 8000));
        }
        return stream.ToArray();
    }

    /// <summary>The start of a WebM file as MediaRecorder writes it: the EBML header with doc type "webm", then a Segment.</summary>
    public static byte[] WebmHeader =>
    [
        0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08,
        0x42, 0x82, 0x84, (byte)'w', (byte)'e', (byte)'b', (byte)'m', 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];
}
