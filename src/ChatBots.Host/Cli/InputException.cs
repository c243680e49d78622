namespace ChatBots.Host.Cli;

/// <summary>Input a verb cannot use (JSON of the wrong shape for <c>tokens --messages</c>); printed as one line, exit 64.</summary>
internal sealed class InputException(string message) : Exception(message);
