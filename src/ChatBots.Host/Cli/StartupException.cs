namespace ChatBots.Host.Cli;

/// <summary>
/// Something the host cannot start with (a data directory it cannot create, a health port in use), found before the
/// host starts. The message names the setting; the CLI prints it as one line and exits 1.
/// </summary>
internal sealed class StartupException(string message, Exception? innerException = null) : Exception(message, innerException);
