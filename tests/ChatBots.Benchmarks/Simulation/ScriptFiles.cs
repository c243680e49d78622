using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>Reads and writes the committed scripts under <c>Scripts/</c>.</summary>
internal static class ScriptFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Keep Chinese and emoji readable in the committed files.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Scripts");

    public static IReadOnlyList<SimScript> LoadAll(string? only)
    {
        var scripts = new List<SimScript>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            SimScript script = Load(file);
            if (only is null || string.Equals(script.Name, only, StringComparison.OrdinalIgnoreCase))
            {
                scripts.Add(script);
            }
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No script named '{only}' in {Directory}.");
        }

        return scripts;
    }

    public static SimScript Load(string file) =>
        JsonSerializer.Deserialize<SimScript>(File.ReadAllText(file), Json) ?? throw new InvalidDataException($"{file} is empty.");

    public static void Save(SimScript script, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, script.Name + ".json"), JsonSerializer.Serialize(script, Json) + "\n");
    }
}
