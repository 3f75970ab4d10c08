using System.Security.Cryptography;
using System.Text;

namespace Otklik.Web.Infrastructure;

/// <summary>
/// High-entropy secrets (device tokens, API keys, pairing codes). They are shown once and stored as SHA-256:
/// with 256 random bits a fast hash is enough, and it lets us look a secret up by its hash.
/// </summary>
public static class Secrets
{
    public static string NewToken(string prefix) =>
        prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A short code a person can type (pairing a bridge agent): 8 characters, no look-alikes.</summary>
    public static string NewPairingCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        Span<char> code = stackalloc char[9];
        for (var i = 0; i < code.Length; i++)
            code[i] = i == 4 ? '-' : alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(code);
    }

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret.Trim())));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
