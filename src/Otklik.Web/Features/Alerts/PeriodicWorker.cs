using Otklik.Web.Features.Cluster;

namespace Otklik.Web.Features.Alerts;

/// <summary>
/// A background round on a timer from the injected <see cref="TimeProvider"/> (so tests drive it with fake time);
/// a failed round is logged and the next one tries again. With an <see cref="IClusterLease"/> (several nodes), a round
/// runs only on the node holding the lease named <see cref="LeaseName"/>, so the work happens once per cluster; without
/// one (a single node) every round runs.
/// </summary>
public abstract class PeriodicWorker(TimeProvider time, ILogger log, IClusterLease? lease = null) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    /// <summary>What the log says when a round fails.</summary>
    protected abstract string FailureMessage { get; }

    /// <summary>The cluster-wide lease this worker's rounds run under; by default the class name.</summary>
    protected virtual string LeaseName => GetType().Name;

    protected abstract Task RunRoundAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, Time, stoppingToken);
                if (lease is not null && !await lease.TryHoldAsync(LeaseName, stoppingToken)) continue;
                await RunRoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "{Failure}; trying again at the next round", FailureMessage);
            }
        }
    }
}
