using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Otklik.Web.Features.Feedback;

public enum FormTokenCheck
{
    Valid,
    /// <summary>Missing, forged, for another location, or too old.</summary>
    Invalid,
    /// <summary>Sent sooner after it was shown than a person could fill it in.</summary>
    TooFast,
}

/// <summary>
/// A signed "form shown at" stamp in a hidden field: instead of a captcha, a post must come with a genuine stamp for
/// the same location that is neither too fresh nor too old.
/// </summary>
public sealed class FormTokens(IDataProtectionProvider protection, TimeProvider time, IOptions<FeedbackOptions> options)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Otklik.Feedback.FormToken.v1");

    public string Issue(Guid locationId) => Issue(locationId, time.GetUtcNow());

    public string Issue(Guid locationId, DateTimeOffset shownAt)
    {
        var payload = new byte[24];
        locationId.TryWriteBytes(payload);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(16), shownAt.UtcTicks);
        return WebEncoders.Base64UrlEncode(_protector.Protect(payload));
    }

    public FormTokenCheck Check(string? token, Guid locationId) => Check(token, locationId, TimeSpan.FromMinutes(options.Value.MaxFormAgeMinutes));

    /// <summary>As <see cref="Check(string?, Guid)"/> with another maximum age (the kiosk keeps its page for days).</summary>
    public FormTokenCheck Check(string? token, Guid locationId, TimeSpan maxAge)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512) return FormTokenCheck.Invalid;
        byte[] payload;
        try { payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(token)); }
        catch (Exception e) when (e is CryptographicException or FormatException) { return FormTokenCheck.Invalid; }
        if (payload.Length != 24 || new Guid(payload.AsSpan(0, 16)) != locationId) return FormTokenCheck.Invalid;
        var age = time.GetUtcNow() - new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(16)), TimeSpan.Zero);
        if (age < TimeSpan.FromSeconds(options.Value.MinFillSeconds)) return FormTokenCheck.TooFast;
        return age > maxAge ? FormTokenCheck.Invalid : FormTokenCheck.Valid;
    }
}
