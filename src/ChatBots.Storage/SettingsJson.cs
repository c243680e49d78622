using System.Buffers;
using System.Text;
using System.Text.Json;
using ChatBots.Engine.Storage;

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

    public static ConversationSettings Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return ConversationSettings.Default;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ConversationSettings.Default;
        }

        int? cap = root.TryGetProperty(ContextTokenCap, out JsonElement c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int value) ? value : null;
        bool? footer = root.TryGetProperty(CostFooter, out JsonElement f) && f.ValueKind is JsonValueKind.True or JsonValueKind.False ? f.GetBoolean() : null;
        return new ConversationSettings(cap, footer);
    }
}
