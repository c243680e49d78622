using Microsoft.Extensions.Hosting;

namespace ChatBots.Storage;

/// <summary>
/// Opens the store when the host starts, so an unwritable data directory or a too-new schema stops the host before
/// any adapter connects, instead of failing on the first message.
/// </summary>
internal sealed class SqliteStoreOpener(SqliteStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(store);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
