using ChatBots.Testing.Process;

namespace ChatBots.Host.Tests;

/// <summary>
/// The signal that the engine of a child process that got SIGTERM refuses new messages, for a test that sends one
/// then: the engine logs it (event 1103, Information) under the same lock that makes it refuse.
/// </summary>
internal static class EngineRefusesMessages
{
    public const string Line = "Engine stopped accepting messages";

    public static Task WaitAsync(ChatbotsProcess bot) => bot.WaitForOutputAsync(Line, ChildBot.Guard);
}
