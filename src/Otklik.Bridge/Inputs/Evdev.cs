using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Inputs;

/// <summary>A Linux <c>struct input_event</c>: time, type, code, value.</summary>
public readonly record struct InputEvent(ushort Type, ushort Code, int Value)
{
    public const ushort EvKey = 1;

    /// <summary>Record size: two native longs of time (16 bytes on 64-bit, 8 on 32-bit) then 2+2+4 bytes.</summary>
    public static int Size => IntPtr.Size * 2 + 8;

    public bool IsKeyDown => Type == EvKey && Value == 1;

    public static InputEvent Read(ReadOnlySpan<byte> record)
    {
        var offset = IntPtr.Size * 2;
        return new InputEvent(
            BinaryPrimitives.ReadUInt16LittleEndian(record[offset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[(offset + 2)..]),
            BinaryPrimitives.ReadInt32LittleEndian(record[(offset + 4)..]));
    }

    /// <summary>Encodes a record the way the kernel writes it (used by tests and the docs' examples).</summary>
    public byte[] ToBytes(long seconds = 0, long microseconds = 0)
    {
        var bytes = new byte[Size];
        if (IntPtr.Size == 8)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, seconds);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), microseconds);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)seconds);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), (int)microseconds);
        }
        var offset = IntPtr.Size * 2;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), Type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 2), Code);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset + 4), Value);
        return bytes;
    }
}

/// <summary>Linux key codes by name (input-event-codes.h), for the keys a keyboard-wedge button is likely set to.</summary>
public static class LinuxKeys
{
    private static readonly Dictionary<string, ushort> Codes = Build();

    public static bool TryParse(string? text, out ushort code)
    {
        code = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var name = text.Trim().ToUpperInvariant();
        if (ushort.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out code))
        {
            return true;
        }
        if (!name.StartsWith("KEY_", StringComparison.Ordinal))
        {
            name = "KEY_" + name;
        }
        return Codes.TryGetValue(name, out code);
    }

    private static Dictionary<string, ushort> Build()
    {
        var codes = new Dictionary<string, ushort>(StringComparer.Ordinal)
        {
            ["KEY_ESC"] = 1, ["KEY_0"] = 11, ["KEY_ENTER"] = 28, ["KEY_SPACE"] = 57,
            ["KEY_F11"] = 87, ["KEY_F12"] = 88, ["KEY_KPENTER"] = 96,
        };
        for (ushort i = 1; i <= 9; i++)
        {
            codes["KEY_" + i.ToString(CultureInfo.InvariantCulture)] = (ushort)(i + 1);
        }
        for (ushort i = 1; i <= 10; i++)
        {
            codes["KEY_F" + i.ToString(CultureInfo.InvariantCulture)] = (ushort)(58 + i);
        }
        for (ushort i = 13; i <= 24; i++)
        {
            codes["KEY_F" + i.ToString(CultureInfo.InvariantCulture)] = (ushort)(170 + i);
        }
        AddRow(codes, "QWERTYUIOP", 16);
        AddRow(codes, "ASDFGHJKL", 30);
        AddRow(codes, "ZXCVBNM", 44);
        return codes;
    }

    private static void AddRow(Dictionary<string, ushort> codes, string letters, ushort first)
    {
        for (var i = 0; i < letters.Length; i++)
        {
            codes["KEY_" + letters[i]] = (ushort)(first + i);
        }
    }
}

/// <summary>
/// Keyboard-wedge buttons on Linux: reads <c>struct input_event</c> records from an evdev device (or any file
/// or FIFO carrying them) and turns the configured key-downs into presses.
/// </summary>
public sealed partial class EvdevInputService(
    PressQueue queue,
    PressFactory factory,
    IOptions<BridgeOptions> options,
    TimeProvider time,
    ILogger<EvdevInputService> logger) : BackgroundService
{
    private static readonly TimeSpan ReopenDelay = TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Evdev.Where(e => !string.IsNullOrWhiteSpace(e.Path)).Select(e => RunDeviceAsync(e, stoppingToken)));

    private async Task RunDeviceAsync(EvdevInputOptions settings, CancellationToken ct)
    {
        var source = "evdev:" + settings.Path;
        if (!LinuxKeys.TryParse(settings.GreenKey, out var green) | !LinuxKeys.TryParse(settings.RedKey, out var red))
        {
            logger.LogError("Evdev input {Path}: unknown key name in GreenKey '{Green}' or RedKey '{Red}'; input disabled", settings.Path, settings.GreenKey, settings.RedKey);
            await queue.SetInputStatusAsync(source, "error: unknown key name", ct);
            return;
        }
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Opening a FIFO blocks until a writer appears, so open on a worker thread too.
                using var stream = await Task.Run(() => new FileStream(settings.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0), ct).WaitAsync(ct);
                if (settings.Grab && OperatingSystem.IsLinux() && NativeMethods.Ioctl(stream.SafeFileHandle, NativeMethods.EviocGrab, 1) != 0)
                {
                    logger.LogDebug("Evdev input {Path}: exclusive grab not possible (errno {Errno}); keys also reach other programs", settings.Path, Marshal.GetLastPInvokeError());
                }
                logger.LogInformation("Evdev input {Path} open (green key {Green}, red key {Red})", settings.Path, green, red);
                await queue.SetInputStatusAsync(source, "open", ct);
                await ReadEventsAsync(stream, settings, source, green, red, ct);
                logger.LogInformation("Evdev input {Path} closed by the other side; reopening", settings.Path);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Evdev input {Path}: {Error}; trying again in {Delay} s", settings.Path, e.Message, ReopenDelay.TotalSeconds);
                await queue.SetInputStatusAsync(source, "error: " + e.Message, CancellationToken.None);
            }
            await Task.Delay(ReopenDelay, time, ct);
        }
    }

    private async Task ReadEventsAsync(FileStream stream, EvdevInputOptions settings, string source, ushort green, ushort red, CancellationToken ct)
    {
        var size = InputEvent.Size;
        var buffer = new byte[size * 64];
        var filled = 0;
        while (true)
        {
            // Reads on character devices and FIFOs block a thread; WaitAsync lets shutdown proceed regardless.
            var read = await Task.Run(() => stream.Read(buffer, filled, buffer.Length - filled), CancellationToken.None).WaitAsync(ct);
            if (read == 0)
            {
                return;
            }
            filled += read;
            var whole = filled / size * size;
            var presses = new List<Press>();
            for (var offset = 0; offset < whole; offset += size)
            {
                var ev = InputEvent.Read(buffer.AsSpan(offset, size));
                if (!ev.IsKeyDown)
                {
                    continue;
                }
                if (ev.Code == green || ev.Code == red)
                {
                    presses.Add(factory.Create(options.Value.ResolveDevice(settings.Device), ev.Code == green ? PressType.Green : PressType.Red, source));
                }
                else
                {
                    logger.LogDebug("Evdev input {Path}: key {Code} is not configured; ignored", settings.Path, ev.Code);
                }
            }
            Buffer.BlockCopy(buffer, whole, buffer, 0, filled - whole);
            filled -= whole;
            try
            {
                await queue.EnqueueAsync(presses, ct);
            }
            catch (QueueFullException)
            {
                // Logged by the queue.
            }
        }
    }

    private static partial class NativeMethods
    {
        /// <summary>_IOW('E', 0x90, int).</summary>
        public const nuint EviocGrab = 0x40044590;

        [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
        public static partial int Ioctl(SafeFileHandle fd, nuint request, nint argument);
    }
}
