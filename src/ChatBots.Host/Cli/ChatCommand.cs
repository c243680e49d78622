using ChatBots.Engine.Conversations;
using ChatBots.Engine.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Cli;

/// <summary>
/// <c>chatbots chat</c>: one conversation in the terminal against the same engine and store as the bot, so history,
/// commands, costs and budgets behave exactly as on a platform.
/// </summary>
internal static class ChatCommand
{
    public static async Task<int> ExecuteAsync(string[] args)
    {
        (Dictionary<string, string> options, _) = ChatBotsCli.Parse(args, "conversation");
        string name = options.GetValueOrDefault("conversation", "default");
        HostApplicationBuilder builder = HostFactory.CreateBuilder(ChatBotsCli.ConfigurationArgs(args), HostMode.Chat);
        using IHost host = builder.Build();
        await StartupChecks.RunAsync(host.Services, CancellationToken.None);
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var engine = host.Services.GetRequiredService<IConversationEngine>();
        string model = host.Services.GetRequiredService<IOptions<ModelSelectionOptions>>().Value.Model;
        var key = new ConversationKey(Platform.Console, name);
        string user = Environment.UserName;

        Console.WriteLine($"ChatBots console — conversation '{name}', model {model}. /help lists commands; /exit or Ctrl-D quits.");
        while (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            Console.Write("> ");
            Task<string?> read = Console.In.ReadLineAsync(lifetime.ApplicationStopping).AsTask();
            string? line;
            try
            {
                line = await read;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (line is null || line.Trim() is "/exit" or "/quit")
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var sink = new ConsoleReplySink(Console.Out);
            var message = new IncomingMessage(key, user, user, line) { MessageId = Guid.NewGuid().ToString("N") };
            EnqueueResult result = engine.Enqueue(message, sink);
            if (result != EnqueueResult.Accepted)
            {
                Console.WriteLine(result == EnqueueResult.Busy ? "[notice] Still working on earlier messages; try again in a moment." : "[notice] Stopping.");
                continue;
            }

            await sink.Finished;
        }

        await host.StopAsync();
        return ExitCodes.Ok;
    }
}
