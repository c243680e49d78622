using System.Text;
using ChatBots.Benchmarks.Simulation;

namespace ChatBots.Benchmarks.Generation;

/// <summary>
/// Writes the committed inputs: the token-counting corpus and the simulator scripts. Deterministic (fixed seeds),
/// so <c>generate</c> reproduces the committed files; run it only when the generator changes.
/// </summary>
internal static class Generator
{
    public const int CorpusBytes = 256 * 1024;

    public static void Run(string projectDirectory)
    {
        string data = Path.Combine(projectDirectory, "Data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "corpus.txt"), new TextSource(20261128).Corpus(CorpusBytes), new UTF8Encoding(false));

        string scripts = Path.Combine(projectDirectory, "Scripts");
        ScriptFiles.Save(MixedChat(), scripts);
        ScriptFiles.Save(CodeHelp(), scripts);
        ScriptFiles.Save(GroupChat(), scripts);
        Console.WriteLine($"Wrote {data}/corpus.txt and the scripts in {scripts}.");
    }

    /// <summary>200 exchanges of everyday chat, Chinese and English mixed, short questions and medium answers.</summary>
    public static SimScript MixedChat()
    {
        var source = new TextSource(1);
        var turns = new List<ScriptTurn>(200);
        for (int i = 0; i < 200; i++)
        {
            turns.Add(new ScriptTurn("Alice", source.Chat(source.Next(20, 300)), source.Chat(source.Next(150, 900))));
        }

        return new SimScript("mixed-200", "200 exchanges of mixed Chinese/English chat (questions 20–300 chars, answers 150–900 chars)", false, turns);
    }

    /// <summary>50 code questions with long answers full of code blocks.</summary>
    public static SimScript CodeHelp()
    {
        var source = new TextSource(2);
        var turns = new List<ScriptTurn>(50);
        for (int i = 0; i < 50; i++)
        {
            turns.Add(new ScriptTurn("Bob", source.CodeQuestion(source.Next(80, 400)), source.CodeAnswer(source.Next(1_500, 4_000))));
        }

        return new SimScript("code-50", "50 code-help exchanges with long answers (questions 80–400 chars plus snippets, answers 1,500–4,000 chars of prose and code)", false, turns);
    }

    /// <summary>A group of five speakers; the bot answers each message, and user turns carry names.</summary>
    public static SimScript GroupChat()
    {
        var source = new TextSource(3);
        string[] speakers = ["Alice", "Bob", "陈伟", "Dmitri", "Emma 🌸"];
        var turns = new List<ScriptTurn>(150);
        for (int i = 0; i < 150; i++)
        {
            turns.Add(new ScriptTurn(source.Pick(speakers), source.Chat(source.Next(10, 200)), source.Chat(source.Next(80, 500))));
        }

        return new SimScript("group-5", "150 messages from five speakers in a group (messages 10–200 chars, answers 80–500 chars)", true, turns);
    }
}
