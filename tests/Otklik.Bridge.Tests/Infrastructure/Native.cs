using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Otklik.Bridge.Tests.Infrastructure;

/// <summary>A pseudo-terminal pair from openpty(3): the test writes to the master, the agent opens the slave as a serial port.</summary>
public sealed partial class PseudoTerminal : IDisposable
{
    private readonly SafeFileHandle _slave;

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave, string slavePath)
    {
        _slave = slave;
        Master = new FileStream(master, FileAccess.ReadWrite, 0);
        SlavePath = slavePath;
    }

    public FileStream Master { get; }

    public string SlavePath { get; }

    public static PseudoTerminal Open()
    {
        if (OpenPty(out var master, out var slave, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) != 0)
        {
            throw new IOException("openpty failed, errno " + Marshal.GetLastPInvokeError());
        }
        var path = new FileInfo("/proc/self/fd/" + slave.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget
            ?? throw new IOException("cannot name the pty slave");
        return new PseudoTerminal(new SafeFileHandle(master, true), new SafeFileHandle(slave, true), path);
    }

    public void Write(string text)
    {
        Master.Write(System.Text.Encoding.ASCII.GetBytes(text));
        Master.Flush();
    }

    public void Write(byte[] bytes)
    {
        Master.Write(bytes);
        Master.Flush();
    }

    public void Dispose()
    {
        Master.Dispose();
        _slave.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "openpty", SetLastError = true)]
    private static partial int OpenPty(out int master, out int slave, IntPtr name, IntPtr termios, IntPtr winsize);
}

public static partial class Fifo
{
    public static void Create(string path)
    {
        if (MkFifo(path, Convert.ToUInt32("600", 8)) != 0)
        {
            throw new IOException("mkfifo failed, errno " + Marshal.GetLastPInvokeError());
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);
}
