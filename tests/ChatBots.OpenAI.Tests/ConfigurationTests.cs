using ChatBots.Engine.Models;
using ChatBots.Testing.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.OpenAI.Tests;

public sealed class ConfigurationTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static List<ChatMessage> Prompt() => [new(ChatRole.User, "hi")];

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings)
    {
        using IHost host = OpenAITestHost.Build(settings);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Theory]
    [InlineData("localhost:11434/v1")]
    [InlineData("/v1")]
    [InlineData("ftp://example.com/v1")]
    public async Task StartAsync_BadBaseUrl_FailsNamingTheKey(string baseUrl)
    {
        var error = await StartFailsAsync(new() { ["OpenAI:BaseUrl"] = baseUrl, ["OpenAI:ApiKey"] = "sk-x" });

        Assert.Contains("OpenAI:BaseUrl must be an absolute http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("00:30:00")]
    public async Task StartAsync_NetworkTimeoutOutOfRange_FailsNamingTheKey(string timeout)
    {
        var error = await StartFailsAsync(new() { ["OpenAI:NetworkTimeout"] = timeout, ["OpenAI:ApiKey"] = "sk-x" });

        Assert.Contains("OpenAI:NetworkTimeout must be between 00:00:01 and 00:10:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadProxyAndTooManyRetries_ReportsBothWithoutEchoingTheProxy()
    {
        var error = await StartFailsAsync(new()
        {
            ["OpenAI:Proxy"] = "user:hunter2@proxy",
            ["OpenAI:MaxRetries"] = "9",
            ["OpenAI:ApiKey"] = "sk-x",
        });

        Assert.Contains("OpenAI:Proxy must be an absolute http(s) URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenAI:MaxRetries must be between 0 and 5", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_DefaultsOnly_StartsWithDocumentedDefaults()
    {
        using IHost host = OpenAITestHost.Build([]);
        await host.StartAsync();

        OpenAIOptions options = host.Services.GetRequiredService<IOptions<OpenAIOptions>>().Value;
        Assert.Equal(("gpt-6-luna", "gpt-6-luna", "gpt-4o-mini-transcribe", "whisper-1"), (options.Model, options.SummaryModel, options.TranscriptionModel, options.TranslationModel));
        Assert.Equal((TimeSpan.FromSeconds(100), 2, TimeSpan.FromSeconds(20)), (options.NetworkTimeout, options.MaxRetries, options.MaxRetryDelay));
        await host.StopAsync();
    }

    [Fact]
    public async Task GetResponseAsync_KeyOnlyInOpenAIApiKeyVariable_SendsThatKey()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s =>
        {
            s["OpenAI:ApiKey"] = "";
            s["OPENAI_API_KEY"] = "sk-from-environment";
        });

        await host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard);

        Assert.Equal("Bearer sk-from-environment", Assert.Single(server.ChatRequests).Authorization);
    }

    [Fact]
    public async Task GetResponseAsync_LocalServerWithoutKey_SendsPlaceholderKeyAndSucceeds()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s => s.Remove("OpenAI:ApiKey"));
        server.EnqueueChatReplies(FakeChatReply.WithText("local model here", usage: null));

        ChatResponse response = await host.Factory.GetClient("llama3.2").GetResponseAsync(Prompt()).WaitAsync(Guard);

        Assert.Equal("local model here", response.Text);
        Assert.StartsWith("Bearer ", Assert.Single(server.ChatRequests).Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoKeyAndNoBaseUrl_FailsAsAuthFailedNamingTheSetting()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        await using var host = await OpenAITestHost.StartAsync(server, s =>
        {
            s.Remove("OpenAI:ApiKey");
            s.Remove("OpenAI:BaseUrl");
        });

        var error = await Assert.ThrowsAsync<ModelCallException>(() => host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard));
        var voiceError = await Assert.ThrowsAsync<ModelCallException>(() => host.Transcriber
            .TranscribeAsync(new MemoryStream([1, 2, 3]), "voice.ogg", Engine.Voice.TranscriptionTask.Transcribe, null, CancellationToken.None));

        Assert.Equal(ModelErrorKind.AuthFailed, error.Kind);
        Assert.Contains("OpenAI:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Equal(ModelErrorKind.AuthFailed, voiceError.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_ProxyWithCredentials_GoesThroughTheProxy()
    {
        // The fake doubles as the forward proxy: the target host does not exist, so only a proxied request can arrive.
        await using var server = await FakeOpenAIServer.StartAsync();
        server.RequiredProxyCredentials = "bot:p@ss word";
        await using var host = await OpenAITestHost.StartAsync(server, s =>
        {
            s["OpenAI:BaseUrl"] = "http://api.openai.invalid/v1";
            s["OpenAI:Proxy"] = $"http://bot:p%40ss%20word@{server.RootUrl.Authority}";
        });
        server.EnqueueChatReplies(FakeChatReply.WithText("via proxy", 3, 2));

        ChatResponse response = await host.Factory.GetClient("gpt-4o-mini").GetResponseAsync(Prompt()).WaitAsync(Guard);

        Assert.Equal("via proxy", response.Text);
        RecordedChatRequest request = Assert.Single(server.ChatRequests);
        Assert.Equal("api.openai.invalid", request.Host);
        Assert.Equal("http://api.openai.invalid/v1/chat/completions", request.RawTarget);
        Assert.Equal($"Bearer {OpenAITestHost.ApiKey}", request.Authorization);
        Assert.Contains("Basic Ym90OnBAc3Mgd29yZA==", server.ProxyAuthorizations);
        Assert.All(host.Logs.GetSnapshot(), r => Assert.DoesNotContain("p@ss", r.Message, StringComparison.Ordinal));
        Assert.All(host.Logs.GetSnapshot(), r => Assert.DoesNotContain("chat/completions", r.Message, StringComparison.Ordinal));
    }
}
