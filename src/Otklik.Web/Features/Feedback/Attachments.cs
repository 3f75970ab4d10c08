using Otklik.Web.Data;

namespace Otklik.Web.Features.Feedback;

/// <summary>Where attachment bytes live. The default keeps files under the data folder; another store may use object storage.</summary>
public interface IAttachmentStore
{
    /// <summary>Stores the bytes and returns a key to read them back.</summary>
    Task<string> SaveAsync(Guid organizationId, Guid attachmentId, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The bytes, or null when the key is unknown.</summary>
    Task<Stream?> OpenAsync(string key, CancellationToken ct);

    Task DeleteAsync(string key, CancellationToken ct);
}

/// <summary>Files under <c>{DataFolder}/attachments/{organization}/{id}</c>, written to a temporary name and renamed when complete.</summary>
public sealed class FileAttachmentStore : IAttachmentStore
{
    private readonly string _root;

    public FileAttachmentStore(DatabaseOptions options, IHostEnvironment env)
    {
        var folder = Path.IsPathRooted(options.DataFolder) ? options.DataFolder : Path.Combine(env.ContentRootPath, options.DataFolder);
        _root = Path.GetFullPath(Path.Combine(folder, "attachments"));
    }

    public async Task<string> SaveAsync(Guid organizationId, Guid attachmentId, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var key = $"{organizationId:N}/{attachmentId:N}";
        var path = PathOf(key)!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
        {
            await file.WriteAsync(content, ct);
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        return key;
    }

    public Task<Stream?> OpenAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return Task.FromResult<Stream?>(path is not null && File.Exists(path) ? File.OpenRead(path) : null);
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        if (PathOf(key) is { } path && File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }

    /// <summary>Only keys this store made ("hex/hex") map to a path, so a key can never walk out of the folder.</summary>
    private string? PathOf(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 2 || !parts.All(p => p.Length == 32 && p.All(Uri.IsHexDigit))) return null;
        return Path.Combine(_root, parts[0], parts[1]);
    }
}

/// <summary>Recognises the file formats Otklik accepts by their first bytes; the file name and the client's content type are ignored.</summary>
public static class ContentSniffer
{
    public const int PhotoMaxBytes = 5 * 1024 * 1024;
    public const int VoiceMaxBytes = 10 * 1024 * 1024;

    public static (AttachmentKind Kind, string ContentType)? Detect(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return (AttachmentKind.Photo, "image/jpeg");
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return (AttachmentKind.Photo, "image/png");
        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return (AttachmentKind.Photo, "image/webp");
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8)) return (AttachmentKind.Photo, "image/heic");
            // Safari's MediaRecorder writes audio-only MP4 under the general brands, not "M4A ".
            if (brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("mp42"u8) || brand.SequenceEqual("isom"u8) || brand.SequenceEqual("iso5"u8)
                || brand.SequenceEqual("iso6"u8) || brand.SequenceEqual("mp41"u8)) return (AttachmentKind.Voice, "audio/mp4");
        }
        if (b.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return (AttachmentKind.Voice, "audio/webm");
        if (b.StartsWith("OggS"u8)) return (AttachmentKind.Voice, "audio/ogg");
        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WAVE"u8)) return (AttachmentKind.Voice, "audio/wav");
        if (b.StartsWith("ID3"u8) || (b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0)) return (AttachmentKind.Voice, "audio/mpeg");
        return null;
    }

    public static int MaxBytes(AttachmentKind kind) => kind == AttachmentKind.Photo ? PhotoMaxBytes : VoiceMaxBytes;
}
