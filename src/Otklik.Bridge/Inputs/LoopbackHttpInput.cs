using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Inputs;

/// <summary>
/// A small HTTP endpoint on 127.0.0.1 for radio receivers whose own software can call a URL, plus the local
/// status page. Answers 202 only after the presses are stored on disk.
/// </summary>
public sealed class LoopbackHttpInput(
    PressQueue queue,
    PressFactory factory,
    IOptions<BridgeOptions> options,
    ILogger<LoopbackHttpInput> logger) : BackgroundService
{
    public const string Source = "http";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var port = options.Value.Http.Port;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.MapPost("/presses", HandlePressesAsync);
        app.MapPost("/press/{type}", HandleSimplePressAsync);
        app.MapGet("/status", async (CancellationToken ct) => Results.Json(await queue.ReadStatusAsync(ct)));
        try
        {
            await app.StartAsync(stoppingToken);
            logger.LogInformation("HTTP input listening on http://127.0.0.1:{Port}/presses", port);
            await queue.SetInputStatusAsync(Source, "listening on 127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), stoppingToken);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (IOException e)
        {
            logger.LogError("HTTP input could not listen on 127.0.0.1:{Port}: {Error}", port, e.Message);
            await queue.SetInputStatusAsync(Source, "error: " + e.Message, CancellationToken.None);
            return;
        }
        await app.StopAsync(CancellationToken.None);
    }

    private async Task<IResult> HandleSimplePressAsync(string type, string? device, CancellationToken ct)
    {
        if (!PressTypes.TryParse(type, out var pressType))
        {
            return Problem("type must be green or red");
        }
        var name = options.Value.ResolveDevice(device);
        if (!IsKnownDevice(name))
        {
            return Problem($"unknown device '{name}'");
        }
        return await StoreAsync([factory.Create(name, pressType, Source)], ct);
    }

    private async Task<IResult> HandlePressesAsync(HttpRequest request, CancellationToken ct)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException e)
        {
            return Problem("body is not JSON: " + e.Message);
        }
        using (doc)
        {
            var items = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("presses", out var list)
                ? list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : null
                : [doc.RootElement];
            if (items is null || items.Count == 0 || items.Count > 1000)
            {
                return Problem("expected a press object or {\"presses\":[…]} with 1 to 1000 items");
            }
            var presses = new List<Press>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                if (ParsePress(items[i], out var error) is { } press)
                {
                    presses.Add(press);
                }
                else
                {
                    return Problem($"press {i}: {error}");
                }
            }
            return await StoreAsync(presses, ct);
        }
    }

    private Press? ParsePress(JsonElement item, out string error)
    {
        error = "";
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = "not an object";
            return null;
        }
        if (!item.TryGetProperty("type", out var typeProp) || typeProp.ValueKind != JsonValueKind.String || !PressTypes.TryParse(typeProp.GetString(), out var type))
        {
            error = "type must be \"green\" or \"red\"";
            return null;
        }
        string? device = null;
        if (item.TryGetProperty("device", out var deviceProp) && deviceProp.ValueKind != JsonValueKind.Null)
        {
            device = deviceProp.ValueKind == JsonValueKind.String ? deviceProp.GetString() : null;
            if (device is null)
            {
                error = "device must be a string";
                return null;
            }
        }
        var name = options.Value.ResolveDevice(device);
        if (!IsKnownDevice(name))
        {
            error = $"unknown device '{name}'";
            return null;
        }
        Guid? id = null;
        if (item.TryGetProperty("id", out var idProp) && idProp.ValueKind != JsonValueKind.Null)
        {
            if (idProp.ValueKind != JsonValueKind.String || !Guid.TryParse(idProp.GetString(), out var parsed) || parsed == Guid.Empty)
            {
                error = "id must be a UUID";
                return null;
            }
            id = parsed;
        }
        DateTimeOffset? at = null;
        if (item.TryGetProperty("at", out var atProp) && atProp.ValueKind != JsonValueKind.Null)
        {
            if (atProp.ValueKind != JsonValueKind.String || !atProp.TryGetDateTimeOffset(out var parsed))
            {
                error = "at must be an ISO-8601 time with offset";
                return null;
            }
            at = parsed;
        }
        return factory.Create(name, type, Source, id, at);
    }

    private async Task<IResult> StoreAsync(List<Press> presses, CancellationToken ct)
    {
        try
        {
            // CancellationToken.None: once the write started, finish it even if the caller hung up.
            var added = await queue.EnqueueAsync(presses, CancellationToken.None);
            return Results.Json(new { stored = added, ids = presses.Select(p => p.Id) }, statusCode: StatusCodes.Status202Accepted);
        }
        catch (QueueFullException)
        {
            return Results.Problem("The bridge's queue is full; the server has not been reachable for a long time.", statusCode: StatusCodes.Status507InsufficientStorage);
        }
    }

    private bool IsKnownDevice(string name) =>
        options.Value.Devices.Count == 0 || options.Value.Devices.ContainsKey(name);

    private static IResult Problem(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad press");
}
