using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Tests.Fakes;

public static class TestDevices
{
    /// <summary>Short back-off so retry tests take milliseconds; the attempt timeout stays generous for slow CI machines.</summary>
    public static readonly RetryPolicy FastRetry = new()
    {
        MaxAttempts = 6,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
    };

    public static List<DeviceCredentials> Make(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new DeviceCredentials(Guid.NewGuid().ToString(), "otd_" + Guid.NewGuid().ToString("N")))];

    public static List<DeviceCredentials> Register(int count, FakeOtklikServer? http = null, FakeBroker? broker = null)
    {
        var devices = Make(count);
        foreach (var d in devices)
        {
            http?.AddDevice(d.Id, d.Token);
            broker?.AddDevice(d.Id, d.Token);
        }
        return devices;
    }
}
