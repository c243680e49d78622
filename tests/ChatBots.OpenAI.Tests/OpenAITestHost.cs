using ChatBots.Engine.Models;
using ChatBots.Engine.Voice;
using ChatBots.Testing.OpenAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ChatBots.OpenAI.Tests;

/// <summary>A real host with <c>AddOpenAIClients()</c> pointed at a fake server, with logs collected.</summary>
internal sealed class OpenAITestHost : IAsyncDisposable
{
    public const string ApiKey = "sk-test-SECRET-0123456789abcdef";

    private readonly IHost _host;

    private OpenAITestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IChatClientFactory Factory => Services.GetRequiredService<IChatClientFactory>();

    public ITranscriber Transcriber => Services.GetRequiredService<ITranscriber>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Settings for a fast test: 1 s retry cap, 2 retries, the fake's base URL and a key.</summary>
    public static Dictionary<string, string?> DefaultSettings(FakeOpenAIServer server) => new()
    {
        ["OpenAI:BaseUrl"] = server.BaseUrl.ToString(),
        ["OpenAI:ApiKey"] = ApiKey,
        ["OpenAI:MaxRetryDelay"] = "00:00:01",
        ["OpenAI:MaxRetries"] = "2",
        ["OpenAI:NetworkTimeout"] = "00:00:20",
    };

    public static async Task<OpenAITestHost> StartAsync(
        FakeOpenAIServer server, Action<Dictionary<string, string?>>? configure = null, TimeProvider? timeProvider = null)
    {
        Dictionary<string, string?> settings = DefaultSettings(server);
        configure?.Invoke(settings);
        IHost host = Build(settings, timeProvider);
        await host.StartAsync();
        return new OpenAITestHost(host);
    }

    public static IHost Build(Dictionary<string, string?> settings, TimeProvider? timeProvider = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        if (timeProvider is not null)
        {
            // Registered before AddOpenAIClients, as the host does: the OpenAI layer only adds TimeProvider.System if none.
            builder.Services.AddSingleton(timeProvider);
        }

        builder.AddOpenAIClients();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
