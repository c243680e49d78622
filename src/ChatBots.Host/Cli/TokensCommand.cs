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
            what = string.Create(CultureInfo.InvariantCulture, $"{messages.Count} {(messages.Count == 1 ? "message" : "messages")}, framing included (3 per message, 1 per name, 3 priming the reply)");
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

    /// <summary>
    /// Reads OpenAI's <c>messages</c> array, or a request object holding one (and maybe a model). Valid JSON of another
    /// shape is the user's input error (<see cref="InputException"/>), never a crash.
    /// </summary>
    public static (List<(string Role, string Content, string? Name)> Messages, string? Model) ParseMessages(string json)
    {
        using JsonDocument document = ParseJson(json);
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
                throw new InputException("The JSON object has no \"messages\" array; expected a chat request body or OpenAI's \"messages\" array.");
            }
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new InputException("Expected OpenAI's \"messages\" array: [{\"role\":\"user\",\"content\":\"...\"}].");
        }

        var messages = new List<(string, string, string?)>();
        int index = 0;
        foreach (JsonElement message in root.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}] is {Kind(message)}, not a message object such as {{\"role\":\"user\",\"content\":\"...\"}}."));
            }

            string role = OptionalString(message, "role", index) ?? "user";
            string? name = OptionalString(message, "name", index);
            string content = "";
            if (message.TryGetProperty("content", out JsonElement c))
            {
                content = c.ValueKind switch
                {
                    JsonValueKind.String => c.GetString() ?? "",
                    JsonValueKind.Array => ContentParts(c, index),
                    JsonValueKind.Null => "",
                    _ => throw new InputException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].content is {Kind(c)}; expected a string or an array of parts.")),
                };
            }

            messages.Add((role, content, name));
            index++;
        }

        return (messages, model);
    }

    private static JsonDocument ParseJson(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InputException($"The --messages input is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The text of a content array: text parts count, other parts (images, audio) are not text.</summary>
    private static string ContentParts(JsonElement parts, int index)
    {
        var text = new StringBuilder();
        int part = 0;
        foreach (JsonElement p in parts.EnumerateArray())
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].content[{part}] is {Kind(p)}, not a part object such as {{\"type\":\"text\",\"text\":\"...\"}}."));
            }

            if (p.TryGetProperty("text", out JsonElement t))
            {
                if (t.ValueKind != JsonValueKind.String)
                {
                    throw new InputException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].content[{part}].text is {Kind(t)}; expected a string."));
                }

                text.Append(t.GetString());
            }

            part++;
        }

        return text.ToString();
    }

    private static string? OptionalString(JsonElement message, string property, int index)
    {
        if (!message.TryGetProperty(property, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new InputException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].{property} is {Kind(value)}; expected a string."));
    }

    /// <summary>The element's kind with its article, for "messages[0] is an array".</summary>
    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string DefaultModel(IHost host) => host.Services.GetRequiredService<IOptions<ModelSelectionOptions>>().Value.Model;
}
