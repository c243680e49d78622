using System.Buffers;
using System.Text;
using System.Text.Json;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ChatBots.Storage;

/// <summary>
/// <see cref="ConversationSettings"/> as the <c>settings_json</c> column holds it: <c>{"contextTokenCap":8000,"costFooter":true}</c>,
/// unset fields left out, NULL for no settings at all. Unknown properties are ignored, so a newer build's settings
/// do not break an older one that reads them.
/// </summary>
internal static class SettingsJson
{
    private const string ContextTokenCap = "contextTokenCap";
    private const string CostFooter = "costFooter";

    public static string? Write(ConversationSettings settings)
    {
        if (settings.IsDefault)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (settings.ContextTokenCap is { } cap)
            {
                writer.WriteNumber(ContextTokenCap, cap);
            }

            if (settings.CostFooter is { } footer)
            {
                writer.WriteBoolean(CostFooter, footer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The settings in <paramref name="json"/>, with a cap outside the configurable range moved to its nearer bound.
    /// A value that is not JSON (a row edited by hand, a damaged page) gives the defaults and a warning: settings are a
    /// convenience, and throwing here would make the conversation unusable for good, since every message and even
    /// <c>/settings</c> and <c>/reset</c> (which keeps the row) load them first.
    /// </summary>
    public static ConversationSettings Read(string? json, string conversation, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return ConversationSettings.Default;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                SqliteStoreLog.UnreadableSettings(logger, conversation, "not a JSON object");
                return ConversationSettings.Default;
            }

            int? cap = root.TryGetProperty(ContextTokenCap, out JsonElement c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int value) ? value : null;
            bool? footer = root.TryGetProperty(CostFooter, out JsonElement f) && f.ValueKind is JsonValueKind.True or JsonValueKind.False ? f.GetBoolean() : null;
            var settings = new ConversationSettings(cap, footer);
            ConversationSettings bounded = settings.WithinBounds();
            if (bounded != settings)
            {
                SqliteStoreLog.SettingsCapOutOfRange(logger, conversation, cap!.Value, bounded.ContextTokenCap!.Value);
            }

            return bounded;
        }
        catch (JsonException)
        {
            // The text is not logged: it could be anything, and the position in it says nothing to an operator.
            SqliteStoreLog.UnreadableSettings(logger, conversation, "not valid JSON");
            return ConversationSettings.Default;
        }
    }
}
