using System.Text.Json;
using ChatBots.Discord;
using ChatBots.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Health;

/// <summary>
/// <c>/healthz</c> answers 200 while the process runs; <c>/readyz</c> answers 200 when every configured adapter is
/// connected, else 503 with each adapter's state. A small Kestrel of its own, so the bot needs no web stack otherwise.
/// </summary>
internal sealed partial class HealthEndpoint(
    IOptions<HealthOptions> options,
    IServiceProvider services,
    ILogger<HealthEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address actually bound (port 0 picks a free one).</summary>
    public string? Address { get; private set; }

    public IReadOnlyList<AdapterReadiness> Adapters()
    {
        var list = new List<AdapterReadiness>();
        if (services.GetService<TelegramStatus>() is { IsEnabled: true } telegram)
        {
            list.Add(new AdapterReadiness("telegram", true, telegram.IsConnected, telegram.FaultReason));
        }

        bool discordEnabled = !string.IsNullOrWhiteSpace(services.GetRequiredService<IConfiguration>()["Discord:BotToken"]);
        if (discordEnabled && services.GetService<DiscordStatus>() is { } discord)
        {
            list.Add(new AdapterReadiness("discord", true, discord.IsConnected, discord.FaultReason));
        }

        return list;
    }

    /// <summary>Binds and serves; a second call does nothing (the CLI binds early so a port in use is one clear line).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || _app is not null)
        {
            return;
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Value.Url);
        WebApplication app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () =>
        {
            IReadOnlyList<AdapterReadiness> adapters = Adapters();
            bool ready = adapters.Count > 0 && adapters.All(a => a.Connected);
            string body = JsonSerializer.Serialize(adapters.Select(a => new Dictionary<string, object?>
            {
                ["name"] = a.Name,
                ["connected"] = a.Connected,
                ["fault"] = a.Fault,
            }));
            return Results.Content(body, "application/json", statusCode: ready ? 200 : 503);
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        _app = app;
        Address = app.Urls.FirstOrDefault();
        LogListening(logger, Address ?? options.Value.Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(4001, LogLevel.Information, "Health endpoint listening on {Address} (/healthz, /readyz)")]
    private static partial void LogListening(ILogger logger, string address);
}
