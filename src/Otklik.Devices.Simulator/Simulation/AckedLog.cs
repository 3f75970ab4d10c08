using System.Threading.Channels;

namespace Otklik.Devices.Simulator.Simulation;

/// <summary>
/// Appends each acknowledged event id to a file, one per line, flushed as soon as the writer catches up, so a durability
/// test can compare the file with what the server stored. Writing lags acknowledgement slightly and never leads it.
/// </summary>
public sealed class AckedLog : IAsyncDisposable
{
    private readonly Channel<Guid> _ids = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StreamWriter _writer;
    private readonly Task _pump;

    public AckedLog(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _writer = new StreamWriter(new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = false, NewLine = "\n" };
        _pump = PumpAsync();
    }

    public void Add(Guid id) => _ids.Writer.TryWrite(id);

    public async ValueTask DisposeAsync()
    {
        _ids.Writer.TryComplete();
        await _pump;
        await _writer.DisposeAsync();
    }

    private async Task PumpAsync()
    {
        var reader = _ids.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var id)) await _writer.WriteLineAsync(id.ToString("D"));
            await _writer.FlushAsync();
        }
    }
}
