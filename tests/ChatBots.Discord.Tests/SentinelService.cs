using Microsoft.Extensions.Hosting;

namespace ChatBots.Discord.Tests;

/// <summary>Another hosted service in the test host: proves a Discord failure leaves the rest of the host running.</summary>
internal sealed class SentinelService : BackgroundService
{
    public bool Stopped { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            Stopped = true;
        }
    }
}
