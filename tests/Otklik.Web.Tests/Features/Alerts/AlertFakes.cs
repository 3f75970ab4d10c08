using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Otklik.Web.Tests.Features.Alerts;

/// <summary>A message the fake Bot API received.</summary>
public sealed record TelegramMessage(string Token, string ChatId, string Text);

/// <summary>A webhook the fake receiver got, with whether its Standard Webhooks signature checked out.</summary>
public sealed record ReceivedWebhook(string Name, string Id, bool SignatureValid, string Body);

/// <summary>
/// Loopback fakes of what alerts talk to: the Telegram Bot API (/bot{token}/sendMessage), webhook receivers that verify
/// signatures (/hooks/{name}) or always fail (/fail), and an SMTP server.
/// </summary>
public sealed class AlertFakes : IAsyncDisposable
{
    private WebApplication? _web;
    private SmtpServer.SmtpServer? _smtp;
    private Task? _smtpRun;
    private readonly CancellationTokenSource _stop = new();

    public ConcurrentQueue<TelegramMessage> Telegram { get; } = new();
    public ConcurrentQueue<ReceivedWebhook> Webhooks { get; } = new();
    public ConcurrentQueue<MimeMessage> Mail { get; } = new();
    /// <summary>Secrets of the receivers, by name; a receiver checks a request with its own.</summary>
    public ConcurrentDictionary<string, string> WebhookSecrets { get; } = new();
    public int FailedCalls => _failed;
    private int _failed;

    public string BaseUrl { get; private set; } = "";
    public int SmtpPort { get; } = OtklikApp.FreePort();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _web = builder.Build();
        _web.MapPost("/bot{token}/sendMessage", async (string token, HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            var json = JsonDocument.Parse(body).RootElement;
            var chat = json.GetProperty("chat_id");
            Telegram.Enqueue(new TelegramMessage(token, chat.ValueKind == JsonValueKind.Number ? chat.GetRawText() : chat.GetString()!, json.GetProperty("text").GetString()!));
            var chatId = chat.ValueKind == JsonValueKind.Number ? chat.GetInt64() : 1;
            return Results.Json(new { ok = true, result = new { message_id = Telegram.Count, date = 1_700_000_000, chat = new { id = chatId, type = "private" }, text = "ok" } });
        });
        _web.MapPost("/hooks/{name}", async (string name, HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            var id = request.Headers["webhook-id"].ToString();
            var valid = WebhookSecrets.TryGetValue(name, out var secret) && Verify(secret, id, request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(), body);
            Webhooks.Enqueue(new ReceivedWebhook(name, id, valid, body));
            return valid ? Results.NoContent() : Results.StatusCode(401);
        });
        _web.MapPost("/fail", () =>
        {
            Interlocked.Increment(ref _failed);
            return Results.StatusCode(500);
        });
        await _web.StartAsync();
        BaseUrl = _web.Urls.First();

        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, SmtpPort)).IsSecure(false)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Mail));
        _smtp = new SmtpServer.SmtpServer(options, services);
        _smtpRun = _smtp.StartAsync(_stop.Token);
    }

    /// <summary>What a receiver does: recompute the HMAC over "{id}.{timestamp}.{body}" and compare with each v1 signature.</summary>
    public static bool Verify(string secret, string id, string timestamp, string signatures, string body)
    {
        if (!long.TryParse(timestamp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts)) return false;
        var expected = WebhookSender.Sign(secret, id, ts, body);
        return signatures.Split(' ').Any(s => s == expected);
    }

    private static async Task<string> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_web is not null) await _web.DisposeAsync();
        if (_smtpRun is not null) await _smtpRun.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> mail) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            mail.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>The app with fake time, the fakes above, and webhooks to loopback allowed (the receivers run there).</summary>
public interface IAlertsApp
{
    OtklikApp App { get; }
    FakeTimeProvider Time { get; }
    AlertFakes Fakes { get; }
}

internal static class AlertsAppSetup
{
    public static FakeTimeProvider NewTime() => new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public static IEnumerable<KeyValuePair<string, string?>> Settings(AlertFakes fakes) =>
    [
        new("Otklik:Webhooks:AllowPrivateNetworks", "true"),
        new("Otklik:Telegram:ApiBaseUrl", fakes.BaseUrl),
        new("Otklik:Smtp:Host", "127.0.0.1"),
        new("Otklik:Smtp:Port", fakes.SmtpPort.ToString(CultureInfo.InvariantCulture)),
        new("Otklik:Smtp:Security", "None"),
        new("Otklik:Smtp:From", "alerts@otklik.test"),
    ];

    public static void Configure(IWebHostBuilder builder, FakeTimeProvider time) =>
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(time));
}

public sealed class AlertsSqliteApp : SqliteApp, IAlertsApp
{
    public OtklikApp App => this;
    public FakeTimeProvider Time { get; } = AlertsAppSetup.NewTime();
    public AlertFakes Fakes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => AlertsAppSetup.Settings(Fakes);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        AlertsAppSetup.Configure(builder, Time);
    }

    public override async Task InitializeAsync()
    {
        await Fakes.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}

public sealed class AlertsPostgresApp : PostgresApp, IAlertsApp
{
    public OtklikApp App => this;
    public FakeTimeProvider Time { get; } = AlertsAppSetup.NewTime();
    public AlertFakes Fakes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => AlertsAppSetup.Settings(Fakes);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        AlertsAppSetup.Configure(builder, Time);
    }

    public override async Task InitializeAsync()
    {
        await Fakes.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}
