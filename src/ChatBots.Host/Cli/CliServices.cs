using ChatBots.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBots.Host.Cli;

/// <summary>A light service provider for the offline verbs (tokens, usage): configuration and the engine's parts, no host.</summary>
internal static class CliServices
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        HostFactory.AddConfiguration(builder, args);
        builder.Services.AddLogging(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        builder.AddConversationEngine();
        return builder;
    }
}
