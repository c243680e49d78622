namespace ChatBots.Testing.Fixtures;

/// <summary>The test audio files, from the test output folder.</summary>
public static class VoiceFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Voice", name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));
}
