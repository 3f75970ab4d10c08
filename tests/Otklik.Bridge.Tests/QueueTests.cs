using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Otklik.Bridge.Queue;
using Otklik.Bridge.Tests.Infrastructure;

namespace Otklik.Bridge.Tests;

public class QueueTests
{
    private static Press NewPress(string device = "main", PressType type = PressType.Green) =>
        new(Guid.NewGuid(), device, type, DateTimeOffset.Now, "test");

    [Fact]
    public async Task Enqueue_SurvivesReopen_AndPeekKeepsOrderAndFields()
    {
        using var dir = new TestDirectory();
        var presses = Enumerable.Range(0, 5).Select(i => NewPress(type: i % 2 == 0 ? PressType.Green : PressType.Red) with { ClockOffsetMs = i == 0 ? 1234 : null }).ToList();
        using (var queue = PressQueue.Open(dir.Path, new QueueOptions(), NullLogger.Instance, TimeProvider.System))
        {
            await queue.EnqueueAsync(presses);
        }

        using var reopened = PressQueue.Open(dir.Path, new QueueOptions(), NullLogger.Instance, TimeProvider.System);
        var peeked = await reopened.PeekAsync("main", 100);

        Assert.Equal(5, reopened.Count);
        Assert.Equal(presses.Select(p => (p.Id, p.Type, p.At, p.ClockOffsetMs)), peeked.Select(p => (p.Id, p.Type, p.At, p.ClockOffsetMs)));
    }

    [Fact]
    public async Task Queue_UsesWalAndFullSync()
    {
        using var dir = new TestDirectory();
        using var queue = PressQueue.Open(dir.Path, new QueueOptions(), NullLogger.Instance, TimeProvider.System);

        using var db = new SqliteConnection($"Data Source={queue.FilePath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", cmd.ExecuteScalar() as string);
    }

    [Fact]
    public async Task Enqueue_SameIdTwice_StoresOnce()
    {
        using var dir = new TestDirectory();
        using var queue = PressQueue.Open(dir.Path, new QueueOptions(), NullLogger.Instance, TimeProvider.System);
        var press = NewPress();

        var first = await queue.EnqueueAsync([press]);
        var second = await queue.EnqueueAsync([press]);

        Assert.Equal((1, 0), (first, second));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Delete_RemovesOnlyGivenIds_PerDevice()
    {
        using var dir = new TestDirectory();
        using var queue = PressQueue.Open(dir.Path, new QueueOptions(), NullLogger.Instance, TimeProvider.System);
        var a = NewPress("main");
        var b = NewPress("side");
        var c = NewPress("main");
        await queue.EnqueueAsync([a, b, c]);

        await queue.DeleteAsync([a.Id]);

        Assert.Equal(["main", "side"], (await queue.PendingDevicesAsync()).Order());
        Assert.Equal([c.Id], (await queue.PeekAsync("main", 10)).Select(p => p.Id));
        Assert.Equal([b.Id], (await queue.PeekAsync("side", 10)).Select(p => p.Id));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public async Task Enqueue_BeyondMaxLength_IsRefused_AndWarnsWhenLarge()
    {
        using var dir = new TestDirectory();
        var logs = new ListLoggerProvider();
        using var queue = PressQueue.Open(dir.Path, new QueueOptions { WarnLength = 3, MaxLength = 5 }, logs.CreateLogger("queue"), TimeProvider.System);

        await queue.EnqueueAsync([NewPress(), NewPress(), NewPress(), NewPress()]);
        await Assert.ThrowsAsync<QueueFullException>(() => queue.EnqueueAsync([NewPress(), NewPress()]));

        Assert.Equal(4, queue.Count);
        Assert.Contains(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("grown to 4", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains("full", StringComparison.Ordinal));
    }
}
