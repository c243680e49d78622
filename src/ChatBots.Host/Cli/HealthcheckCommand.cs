using Microsoft.Extensions.Hosting;

namespace ChatBots.Host.Cli;

/// <summary><c>chatbots healthcheck</c>: exit 0 when the running bot's <c>/healthz</c> answers, for Docker's HEALTHCHECK (the runtime image has no curl).</summary>
internal static class HealthcheckCommand
{
    public static async Task<int> ExecuteAsync(string[] args)
    {
        HostApplicationBuilder builder = CliServices.CreateBuilder(ChatBotsCli.ConfigurationArgs(args));
        string url = (builder.Configuration["Health:Url"] ?? "http://127.0.0.1:8080").TrimEnd('/');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(url + "/healthz"));
            return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"Health endpoint {url}/healthz did not answer: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
