namespace Otklik.Web.Features.Alerts;

/// <summary>
/// A background round on a timer from the injected <see cref="TimeProvider"/> (so tests drive it with fake time);
/// a failed round is logged and the next one tries again.
/// </summary>
public abstract class PeriodicWorker(TimeProvider time, ILogger log) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    /// <summary>What the log says when a round fails.</summary>
    protected abstract string FailureMessage { get; }

    protected abstract Task RunRoundAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, Time, stoppingToken);
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
