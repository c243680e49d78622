using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBots.Host.Health;

/// <summary>
/// Stops the process (exit code 1) once every configured adapter has failed for good — a revoked token, disallowed
/// intents — so a restart policy or an operator notices instead of a healthy-looking process that answers no one.
/// One adapter failing alone leaves the other running.
/// </summary>
internal sealed partial class AdapterWatchdog(
    HealthEndpoint health,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<AdapterWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                IReadOnlyList<AdapterReadiness> adapters = health.Adapters();
                if (adapters.Count > 0 && adapters.All(a => a.Fault is not null))
                {
                    LogAllFailed(logger, string.Join("; ", adapters.Select(a => $"{a.Name}: {a.Fault}")));
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(4002, LogLevel.Critical, "Every configured adapter has stopped; exiting. {Reasons}")]
    private static partial void LogAllFailed(ILogger logger, string reasons);
}
