using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace Otklik.Web.Features.Alerts;

public sealed class TelegramSender(IHttpClientFactory http, IOptions<TelegramOptions> options, Security.SecretBox secrets) : INotificationSender
{
    public const string HttpClientName = "telegram";

    public ChannelKind Kind => ChannelKind.Telegram;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (message.Channel is not { Secret: { Length: > 0 } stored } channel)
            return SendResult.Fail("The channel has no bot token.", permanent: true);
        var token = secrets.Reveal(stored)!;
        var bot = new TelegramBotClient(new TelegramBotClientOptions(token, options.Value.ApiBaseUrl), http.CreateClient(HttpClientName));
        try
        {
            await bot.SendMessage(ChatOf(channel.Target), message.Delivery.Text, cancellationToken: ct);
            return SendResult.Success(200);
        }
        catch (ApiRequestException e)
        {
            // 400/401/403/404: a wrong token or chat, retrying will not help; 429 and 5xx may pass.
            return SendResult.Fail(e.Message, e.ErrorCode, permanent: e.ErrorCode is 400 or 401 or 403 or 404);
        }
    }

    private static Telegram.Bot.Types.ChatId ChatOf(string target) =>
        long.TryParse(target, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? new(id) : new(target);
}

/// <summary>
/// Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c>
/// of "{id}.{timestamp}.{body}" with the channel's <c>whsec_</c> secret. The id stays the same across retries so receivers
/// can deduplicate.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider time, Security.SecretBox secrets) : INotificationSender
{
    public const string HttpClientName = "webhooks";
    public const string SecretPrefix = "whsec_";

    public ChannelKind Kind => ChannelKind.Webhook;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}.{body}")));
        return "v1," + Convert.ToBase64String(mac);
    }

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (message.Channel is not { Secret: { Length: > 0 } stored } channel)
            return SendResult.Fail("The channel has no signing secret.", permanent: true);
        var secret = secrets.Reveal(stored)!;
        if (!Uri.TryCreate(channel.Target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return SendResult.Fail("The webhook URL is not an absolute http(s) URL.", permanent: true);
        if (!options.Value.AllowPrivateNetworks)
        {
            var refused = await NetworkGuard.CheckHostAsync(url.DnsSafeHost, ct);
            if (refused is not null) return SendResult.Fail(refused, permanent: true);
        }

        var id = "msg_" + message.Delivery.Id.ToString("N");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var body = message.Delivery.Payload;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret, id, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? SendResult.Success(status) : SendResult.Fail($"The receiver answered {status}.", status);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return SendResult.Fail($"No answer within {options.Value.Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException e) when (e.InnerException is RefusedAddressException refused)
        {
            return SendResult.Fail(refused.Message, permanent: true);
        }
    }
}

/// <summary>Keeps webhooks away from this machine and its networks (SSRF): loopback, private, link-local and similar ranges.</summary>
public static class NetworkGuard
{
    /// <summary>Null when every address of the host is public; otherwise why it is refused.</summary>
    public static async Task<string?> CheckHostAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        try { addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host, ct); }
        catch (SocketException e) { return $"The host {host} could not be resolved: {e.Message}"; }
        if (addresses.Length == 0) return $"The host {host} has no addresses.";
        return addresses.FirstOrDefault(IsPrivate) is { } bad ? Refusal(bad) : null;
    }

    public static string Refusal(IPAddress address) =>
        $"Refused: {address} is a loopback, private or link-local address (set Otklik:Webhooks:AllowPrivateNetworks to allow).";

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b6 = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b6[0] & 0xFE) == 0xFC;
        }
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] >= 64 && b[1] <= 127,          // carrier-grade NAT
            169 => b[1] == 254,                         // link-local, cloud metadata
            172 => b[1] >= 16 && b[1] <= 31,
            192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2) || (b[1] == 88 && b[2] == 99),
            198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),
            203 => b[1] == 0 && b[2] == 113,
            >= 224 => true,                             // multicast, reserved, broadcast
            _ => false,
        };
    }

    /// <summary>
    /// Connects only to public addresses, checked again at connect time, so a DNS answer that changes between the check and
    /// the connection (DNS rebinding) cannot reach a private address.
    /// </summary>
    public static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host, ct);
            if (!allowPrivate && addresses.FirstOrDefault(IsPrivate) is { } bad) throw new RefusedAddressException(Refusal(bad));
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Only thrown with a message.")]
public sealed class RefusedAddressException(string message) : Exception(message);

public sealed class EmailSender(IOptions<SmtpOptions> options) : INotificationSender
{
    public ChannelKind Kind => ChannelKind.Email;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var smtp = options.Value;
        if (string.IsNullOrWhiteSpace(smtp.Host)) return SendResult.Fail("E-mail is not configured (Otklik:Smtp:Host).", permanent: true);
        var to = message.Delivery.Address ?? message.Channel?.Target;
        if (string.IsNullOrWhiteSpace(to) || !MailboxAddress.TryParse(to, out var recipient))
            return SendResult.Fail("No valid e-mail address.", permanent: true);

        using var mail = new MimeMessage();
        mail.To.Add(recipient);
        mail.Subject = message.Delivery.Subject;
        mail.Body = new TextPart("plain") { Text = message.Delivery.Text };
        await SendAsync(smtp, mail, ct);
        return SendResult.Success();
    }

    /// <summary>Sends one message through the configured SMTP server, from <see cref="SmtpOptions.From"/> (alerts, digests).</summary>
    public static async Task SendAsync(SmtpOptions smtp, MimeMessage mail, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host)) throw new InvalidOperationException("E-mail is not configured (Otklik:Smtp:Host).");
        if (!Enum.TryParse<SecureSocketOptions>(smtp.Security, ignoreCase: true, out var security)) security = SecureSocketOptions.Auto;
        if (mail.From.Count == 0) mail.From.Add(MailboxAddress.Parse(smtp.From));
        using var client = new SmtpClient { Timeout = 10_000 };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
        await client.SendAsync(mail, ct);
        await client.DisconnectAsync(true, ct);
    }
}
