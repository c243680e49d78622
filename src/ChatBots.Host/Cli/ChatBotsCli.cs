using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBots.Host.Cli;

/// <summary>Exit codes a script can act on.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadConfiguration = 2;
    public const int NothingToRun = 3;

    /// <summary>Bad arguments or input (sysexits' EX_USAGE).</summary>
    public const int Usage = 64;
}

/// <summary>The <c>chatbots</c> command line: a verb, then its options; configuration overrides as <c>--Section:Key=value</c>.</summary>
internal static partial class ChatBotsCli
{
    public const string HelpText = """
        chatbots — an OpenAI-compatible chat model in Discord and Telegram.

        Usage:
          chatbots [run]                 run the bot (Discord and/or Telegram, whichever has a token)
          chatbots chat [--conversation NAME]
                                         talk to the engine in this terminal (needs only a model key)
          chatbots tokens [--model M] [--file PATH | --messages PATH | TEXT...]
                                         count tokens (framing included for --messages) and estimate the cost
          chatbots usage [--by day|model|platform|conversation] [--days N]
                                         costs and tokens from the ledger
          chatbots healthcheck           exit 0 when the running bot's /healthz answers (Docker HEALTHCHECK)
          chatbots help | --help | -h    this text

        Configuration: config/appsettings.json, environment variables (OpenAI__ApiKey, Telegram__BotToken,
        Discord__BotToken, ...), or --Section:Key=value arguments. See README.md.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        // A first argument that is an option (a configuration override such as --Telegram:BotToken=...) means the
        // default verb; --help and -h anywhere only print the help, so asking for it never starts the bot.
        bool hasVerb = args.Length > 0 && !args[0].StartsWith('-');
        string verb = hasVerb ? args[0].ToLowerInvariant() : "run";
        string[] rest = hasVerb ? args[1..] : args;
        if (verb is "help" || args.Any(a => a is "--help" or "-h"))
        {
            return Help();
        }

        try
        {
            return verb switch
            {
                "run" => await RunCommand.ExecuteAsync(rest),
                "chat" => await ChatCommand.ExecuteAsync(rest),
                "tokens" => await TokensCommand.ExecuteAsync(rest),
                "usage" => await UsageCommand.ExecuteAsync(rest),
                "healthcheck" => await HealthcheckCommand.ExecuteAsync(rest),
                _ => Unknown(verb),
            };
        }
        catch (StartupException ex)
        {
            // Found before the host started (StartupChecks): one line naming the setting, no stack trace.
            await Console.Error.WriteLineAsync($"Error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (InputException ex)
        {
            await Console.Error.WriteLineAsync($"Error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OptionsValidationException ex)
        {
            return ConfigurationError(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            return ConfigurationError(ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // Binding "abc" into a number: the message names the value, the key and the type.
            return ConfigurationError([ex.Message]);
        }
        catch (FormatException ex)
        {
            return ConfigurationError([ex.Message]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            // A missing or unreadable file, bad JSON, a port in use: one line that names it, no stack trace.
            await Console.Error.WriteLineAsync($"Error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Options that take a value: <c>--name value</c> or <c>--name=value</c>; the rest are positional.</summary>
    public static (Dictionary<string, string> Options, List<string> Positional) Parse(string[] args, params string[] names)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? name = names.FirstOrDefault(n => arg.Equals("--" + n, StringComparison.OrdinalIgnoreCase) || arg.StartsWith("--" + n + "=", StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                if (!arg.StartsWith("--", StringComparison.Ordinal) || !arg.Contains(':', StringComparison.Ordinal))
                {
                    positional.Add(arg);
                }
                else if (!arg.Contains('=', StringComparison.Ordinal))
                {
                    i++; // a configuration override "--Section:Key value" takes its value with it
                }

                continue;
            }

            if (arg.Contains('=', StringComparison.Ordinal))
            {
                options[name] = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                options[name] = args[++i];
            }
        }

        return (options, positional);
    }

    /// <summary>Only the configuration overrides (<c>--Section:Key=value</c>) of the arguments, for the host's command-line source.</summary>
    public static string[] ConfigurationArgs(string[] args)
    {
        var result = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal))
            {
                result.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    result.Add(args[++i]);
                }
            }
        }

        return [.. result];
    }

    /// <summary>
    /// Binds and validates every option registered with ValidateOnStart before the host starts, so a bad value is
    /// reported once, plainly, instead of as a host start failure with a stack trace.
    /// </summary>
    public static void ValidateConfiguration(IServiceProvider services) =>
        services.GetService<IStartupValidator>()?.Validate();

    public static int ConfigurationError(IEnumerable<string> failures)
    {
        Console.Error.WriteLine("Configuration error:");
        foreach (string failure in failures.Select(Shorten).Distinct(StringComparer.Ordinal))
        {
            Console.Error.WriteLine("  - " + failure);
        }

        Console.Error.WriteLine("Fix config/appsettings.json or the matching environment variable (Section__Key) and start again.");
        return ExitCodes.BadConfiguration;
    }

    /// <summary>
    /// Our DataAnnotations messages already name the key and the rule; the wrapper around them
    /// ("DataAnnotation validation failed for 'EngineOptions' members: 'X' with the error: '…'.") only adds class names.
    /// </summary>
    public static string Shorten(string failure)
    {
        Match match = DataAnnotationFailure().Match(failure);
        return match.Success ? match.Groups["error"].Value : failure;
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '[^']*' with the error: '(?<error>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    private static int Help()
    {
        Console.WriteLine(HelpText);
        return ExitCodes.Ok;
    }

    private static int Unknown(string verb)
    {
        Console.Error.WriteLine($"Unknown command '{verb}'.");
        Console.Error.WriteLine(HelpText);
        return ExitCodes.Usage;
    }
}
