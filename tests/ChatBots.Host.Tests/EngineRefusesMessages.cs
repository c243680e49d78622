using ChatBots.Testing.Process;

namespace ChatBots.Host.Tests;

/// <summary>
/// The signal that the engine of a child process that got SIGTERM refuses new messages, for a test that sends one
/// then. The engine stops accepting in its own <c>StopAsync</c>; the line below is the last one printed before that.
/// </summary>
internal static class EngineRefusesMessages
{
    /// <summary>
    /// The host's "Hosting stopping" (Debug), printed just before the hosted services stop, the engine first (it is
    /// registered last). It precedes the engine's switch by a little; once the engine logs "stopped accepting messages"
    /// (Information) when it switches, this becomes that line and <see cref="Configure"/> is no longer needed.
    /// </summary>
    public const string Line = "Hosting stopping";

    /// <summary>Makes the child print <see cref="Line"/>.</summary>
    public static void Configure(Dictionary<string, string?> settings) =>
        settings["Logging__LogLevel__Microsoft.Extensions.Hosting"] = "Debug";

    public static Task WaitAsync(ChatbotsProcess bot) => bot.WaitForOutputAsync(Line, ChildBot.Guard);
}
