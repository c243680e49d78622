using System.Globalization;
using System.Text;
using System.Text.Json;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Cli;

/// <summary>
/// <c>chatbots tokens</c>: counts like the engine does — the model's encoding from the catalogue, and for a chat request
/// (OpenAI's <c>messages</c> array, or a whole request body) the framing too — and prices the count.
/// </summary>
internal static class TokensCommand
{
    public static async Task<int> ExecuteAsync(string[] args)
    {
        (Dictionary<string, string> options, List<string> positional) = ChatBotsCli.Parse(args, "model", "file", "messages");
        using IHost host = CliServices.CreateBuilder(ChatBotsCli.ConfigurationArgs(args)).Build();
        var catalogue = host.Services.GetRequiredService<ModelCatalogue>();
        var counter = host.Services.GetRequiredService<TokenCounter>();
        string? model = options.GetValueOrDefault("model");

        int tokens;
        string what;
        if (options.TryGetValue("messages", out string? messagesPath))
        {
            string json = messagesPath == "-" ? await Console.In.ReadToEndAsync() : await File.ReadAllTextAsync(messagesPath);
            (List<(string Role, string Content, string? Name)> messages, string? requestModel) = ParseMessages(json);
            model ??= requestModel;
            string encoding = catalogue.Resolve(model ?? DefaultModel(host)).Encoding;
            tokens = messages.Sum(m => counter.CountMessage(m.Role, m.Content, m.Name, encoding)) + TokenCounter.ReplyPriming;
            what = string.Create(CultureInfo.InvariantCulture, $"{messages.Count} messages, framing included (3 per message, 1 per name, 3 priming the reply)");
        }
        else
        {
            string text = options.TryGetValue("file", out string? path)
                ? await File.ReadAllTextAsync(path)
                : positional.Count > 0 ? string.Join(' ', positional) : await Console.In.ReadToEndAsync();
            string encoding = catalogue.Resolve(model ?? DefaultModel(host)).Encoding;
            tokens = counter.CountText(text, encoding);
            what = string.Create(CultureInfo.InvariantCulture, $"{text.Length:N0} characters of text");
        }

        ModelInfo info = catalogue.Resolve(model ?? DefaultModel(host));
        Console.WriteLine(Format(info, tokens, what));
        return ExitCodes.Ok;
    }

    public static string Format(ModelInfo info, int tokens, string what)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{tokens} tokens ({what})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Model {info.Id}: {info.Encoding}{(info.IsListed ? $", prices as of {info.Prices.AsOf}" : ", NOT in the catalogue: default prices, an estimate")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"As input:  {info.Prices.ChatCost(tokens, 0, 0)} at ${info.Prices.InputPerMTok}/1M tokens ({info.Prices.ChatCost(tokens, tokens, 0)} if cached)");
        text.Append(CultureInfo.InvariantCulture, $"As output: {info.Prices.ChatCost(0, 0, tokens)} at ${info.Prices.OutputPerMTok}/1M tokens");
        return text.ToString();
    }

    /// <summary>Reads OpenAI's <c>messages</c> array, or a request object holding one (and maybe a model).</summary>
    public static (List<(string Role, string Content, string? Name)> Messages, string? Model) ParseMessages(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        string? model = null;
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String)
            {
                model = m.GetString();
            }

            if (!root.TryGetProperty("messages", out root))
            {
                throw new FormatException("The JSON has no \"messages\" array.");
            }
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("Expected OpenAI's \"messages\" array: [{\"role\":\"user\",\"content\":\"...\"}].");
        }

        var messages = new List<(string, string, string?)>();
        foreach (JsonElement message in root.EnumerateArray())
        {
            string role = message.TryGetProperty("role", out JsonElement r) ? r.GetString() ?? "user" : "user";
            string? name = message.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            string content = "";
            if (message.TryGetProperty("content", out JsonElement c))
            {
                content = c.ValueKind switch
                {
                    JsonValueKind.String => c.GetString() ?? "",
                    JsonValueKind.Array => string.Concat(c.EnumerateArray()
                        .Where(p => p.TryGetProperty("text", out _))
                        .Select(p => p.GetProperty("text").GetString())),
                    _ => "",
                };
            }

            messages.Add((role, content, name));
        }

        return (messages, model);
    }

    private static string DefaultModel(IHost host) => host.Services.GetRequiredService<IOptions<ModelSelectionOptions>>().Value.Model;
}
