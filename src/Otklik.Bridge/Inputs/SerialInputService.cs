using System.Globalization;
using System.IO.Ports;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Inputs;

/// <summary>Reads every configured serial port (USB-serial buttons) with the line protocol of <see cref="SerialLineParser"/>.</summary>
public sealed class SerialInputService(
    PressQueue queue,
    PressFactory factory,
    IOptions<BridgeOptions> options,
    TimeProvider time,
    ILogger<SerialInputService> logger) : BackgroundService
{
    private static readonly TimeSpan ReopenDelay = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Serial.Where(s => !string.IsNullOrWhiteSpace(s.Port)).Select(s => RunPortAsync(s, stoppingToken)));

    private async Task RunPortAsync(SerialInputOptions settings, CancellationToken ct)
    {
        var source = "serial:" + settings.Port;
        var lastSequence = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var port = new SerialPort(settings.Port, settings.BaudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
                port.Open();
                logger.LogInformation("Serial input {Port} open at {Baud} baud", settings.Port, settings.BaudRate);
                await queue.SetInputStatusAsync(source, "open", ct);
                await ReadPortAsync(port.BaseStream, settings, source, lastSequence, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                logger.LogWarning("Serial input {Port}: {Error}; trying again in {Delay} s", settings.Port, e.Message, ReopenDelay.TotalSeconds);
                await queue.SetInputStatusAsync(source, "error: " + e.Message, CancellationToken.None);
            }
            await Task.Delay(ReopenDelay, time, ct);
        }
    }

    private async Task ReadPortAsync(Stream stream, SerialInputOptions settings, string source, Dictionary<string, uint> lastSequence, CancellationToken ct)
    {
        var parser = new SerialLineParser();
        var buffer = new byte[256];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, ct).AsTask().WaitAsync(ct);
            if (read == 0)
            {
                throw new IOException("port closed");
            }
            var presses = new List<Press>();
            var acks = new List<uint>();
            foreach (var line in parser.Feed(buffer.AsSpan(0, read)))
            {
                if (!line.IsPress)
                {
                    logger.LogWarning("Serial input {Port}: ignored line \"{Line}\": {Reason}", settings.Port, line.Raw, line.Error);
                    continue;
                }
                var buttonKey = line.Button ?? "";
                if (line.Sequence is { } seq)
                {
                    acks.Add(seq);
                    if (lastSequence.TryGetValue(buttonKey, out var last) && last == seq)
                    {
                        logger.LogInformation("Serial input {Port}: repeated sequence {Seq} of button '{Button}' ignored", settings.Port, seq, buttonKey);
                        continue;
                    }
                    lastSequence[buttonKey] = seq;
                }
                var device = line.Button is not null && settings.Buttons.TryGetValue(line.Button, out var mapped)
                    ? mapped
                    : options.Value.ResolveDevice(settings.Device);
                presses.Add(factory.Create(device, line.Type!.Value, source));
            }
            try
            {
                await queue.EnqueueAsync(presses, ct);
            }
            catch (QueueFullException)
            {
                continue; // Already logged by the queue; no ACK, so a device that retries will try again.
            }
            if (settings.Acknowledge && acks.Count > 0)
            {
                var text = string.Concat(acks.Select(a => string.Create(CultureInfo.InvariantCulture, $"ACK {a}\n")));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
            }
        }
    }
}
