using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ChatBots.Host.Cli;

/// <summary><c>chatbots run</c>: the bot service, with each adapter whose token is set.</summary>
internal static class RunCommand
{
    public const string NoAdapterMessage = """
        Nothing to run: no adapter is configured.
        Set at least one bot token, for example in the environment:
          Telegram__BotToken=123456:ABC...   (from @BotFather)
          Discord__BotToken=...              (Developer Portal → your application → Bot → Reset Token)
        and the model key:
          OPENAI_API_KEY=sk-...              (or OpenAI__ApiKey; OpenAI__BaseUrl for a compatible server)
        To try the engine without any platform: chatbots chat  (needs only the model key).
        """;

    public static async Task<int> ExecuteAsync(string[] args)
    {
        HostApplicationBuilder builder = HostFactory.CreateBuilder(ChatBotsCli.ConfigurationArgs(args), HostMode.Run);
        bool telegram = !string.IsNullOrWhiteSpace(builder.Configuration["Telegram:BotToken"]);
        bool discord = !string.IsNullOrWhiteSpace(builder.Configuration["Discord:BotToken"]);
        if (!telegram && !discord)
        {
            await Console.Error.WriteLineAsync(NoAdapterMessage);
            return ExitCodes.NothingToRun;
        }

        using IHost host = builder.Build();
        await StartupChecks.RunAsync(host.Services, CancellationToken.None);
        await host.RunAsync();
        // The watchdog sets 1 when every adapter failed for good.
        return Environment.ExitCode;
    }
}
