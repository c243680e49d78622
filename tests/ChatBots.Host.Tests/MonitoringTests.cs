using System.Diagnostics.Metrics;
using ChatBots.Engine.Models;
using ChatBots.Host.Health;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Tests;

/// <summary>
/// The host's composition with the real Telegram.Bot and OpenAI SDK clients against the loopback fakes: what an
/// operator's dashboard (the <c>ChatBots</c> meter) and probes see.
/// </summary>
public sealed class MonitoringTests : IAsyncLifetime
{
    private const long User = 4343;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _data = new();
    private FakeOpenAIServer _openai = null!;
    private FakeTelegramBotApi _telegram = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeOpenAIServer.StartAsync();
        _telegram = await FakeTelegramBotApi.StartAsync();
        string[] args =
        [
            $"--Storage:DataDirectory={_data.Path}",
            $"--OpenAI:BaseUrl={_openai.BaseUrl}",
            "--OpenAI:ApiKey=sk-test",
            $"--Telegram:BotToken={_telegram.Token}",
            $"--Telegram:ApiBaseUrl={_telegram.BaseUrl}",
            "--Telegram:PollTimeout=00:00:01",
        ];
        _host = HostFactory.CreateBuilder(args, HostMode.Run).Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _telegram.DisposeAsync();
        await _openai.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task ChatBotsMeter_AnswerThenRejectedKey_CountsMessagesTokensCostLatencyAndErrorsByKind()
    {
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var messages = new MetricCollector<long>(meters, "ChatBots", "chatbots.messages");
        using var tokens = new MetricCollector<long>(meters, "ChatBots", "chatbots.tokens");
        using var cost = new MetricCollector<long>(meters, "ChatBots", "chatbots.cost");
        using var errors = new MetricCollector<long>(meters, "ChatBots", "chatbots.errors");
        using var latency = new MetricCollector<double>(meters, "ChatBots", "chatbots.model.latency");
        _openai.EnqueueChatReplies(FakeChatReply.WithText("fine, thanks", 120, 12, cachedTokens: 20), FakeChatReply.Unauthorized());

        _telegram.EnqueueMessage(TelegramUpdates.PrivateText(User, "how are you?"));
        Assert.Equal("fine, thanks", (await _telegram.NextMessageAsync(User, Guard)).Text);
        _telegram.EnqueueMessage(TelegramUpdates.PrivateText(User, "and now?"));
        Assert.Contains("AI key was rejected", (await _telegram.NextMessageAsync(User, Guard)).Text, StringComparison.Ordinal);
        await messages.WaitForMeasurementsAsync(2, Guard);

        Assert.Equal(
            [("telegram", "handled"), ("telegram", "model_error")],
            messages.GetMeasurementSnapshot().Select(m => ((string)m.Tags["platform"]!, (string)m.Tags["outcome"]!)));
        Assert.Equal(
            [("input", 100L), ("cached_input", 20L), ("output", 12L)],
            tokens.GetMeasurementSnapshot().Where(m => (string)m.Tags["kind"]! == "chat").Select(m => ((string)m.Tags["direction"]!, m.Value)));
        Assert.All(tokens.GetMeasurementSnapshot(), m => Assert.Equal("gpt-6-luna", m.Tags["model"]));
        ModelPrices prices = _host.Services.GetRequiredService<ModelCatalogue>().Resolve("gpt-6-luna").Prices;
        Assert.Equal(prices.ChatCost(120, 20, 12).Value, Assert.Single(cost.GetMeasurementSnapshot()).Value);
        Assert.Equal("AuthFailed", Assert.Single(errors.GetMeasurementSnapshot()).Tags["kind"]);
        CollectedMeasurement<double> call = Assert.Single(latency.GetMeasurementSnapshot());
        Assert.Equal("gpt-6-luna", call.Tags["model"]);
        Assert.True(call.Value > 0);
    }

    [Fact]
    public async Task HealthEndpoint_DefaultConfiguration_ListensOnLoopbackOnly()
    {
        // The configured default address, on a free port (its own 8080 may be taken on a developer's machine).
        var configured = new Uri(_host.Services.GetRequiredService<IOptions<HealthOptions>>().Value.Url);
        string url = new UriBuilder(configured) { Port = 0 }.Uri.ToString().TrimEnd('/');
        using var data = new TempDirectory();
        string[] args =
        [
            $"--Storage:DataDirectory={data.Path}",
            $"--OpenAI:BaseUrl={_openai.BaseUrl}",
            "--Health:Enabled=true",
            $"--Health:Url={url}",
        ];
        using IHost host = HostFactory.CreateBuilder(args, HostMode.Run).Build();
        await host.StartAsync();
        try
        {
            var bound = new Uri(host.Services.GetRequiredService<HealthEndpoint>().Address!);
            using var http = new HttpClient();

            Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(bound.Host)), $"The health endpoint listens on {bound}, reachable from outside.");
            Assert.Equal("ok", await http.GetStringAsync(new Uri(bound, "/healthz")));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
