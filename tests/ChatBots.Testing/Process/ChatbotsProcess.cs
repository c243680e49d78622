using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ChatBots.Testing.Process;

/// <summary>
/// The real <c>chatbots</c> executable as a child process (built next to the test assembly by its project reference),
/// with its own working directory, environment and captured output.
/// </summary>
public sealed class ChatbotsProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatbotsProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public string AllOutput => StandardOutput + StandardError;

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Starts <c>chatbots</c> with this process's environment, cleaned (<see cref="ChildEnvironment"/>), plus <paramref name="environment"/>.</summary>
    public static ChatbotsProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(workingDirectory, InheritedEnvironment(), environment, args);

    /// <summary>
    /// Starts <c>chatbots</c> as if this process's environment were <paramref name="inherited"/>: a test can prove that
    /// what a developer exported does not reach the child.
    /// </summary>
    public static ChatbotsProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> inherited, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chatbots.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach ((string key, string? value) in ChildEnvironment(inherited, environment))
        {
            info.Environment[key] = value;
        }

        var process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new ChatbotsProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data, stderr: false);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data, stderr: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>
    /// The child's environment: <paramref name="inherited"/> without anything that configures the bot — every
    /// <c>Section__Key</c> variable (any name containing <c>__</c>, which the configuration reads case-insensitively, so
    /// <c>Storage__DataDirectory</c> or <c>Budgets__UserDailyUsd</c> in a developer's shell cannot point a test at a real
    /// database or budget), <c>OPENAI_API_KEY</c> and the environment names — then <c>DOTNET_ENVIRONMENT=Testing</c>, then
    /// the test's own <paramref name="environment"/>.
    /// </summary>
    public static Dictionary<string, string?> ChildEnvironment(IReadOnlyDictionary<string, string?> inherited, IReadOnlyDictionary<string, string?> environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach ((string key, string? value) in inherited)
        {
            if (!IsBotSetting(key))
            {
                result[key] = value;
            }
        }

        result["DOTNET_ENVIRONMENT"] = "Testing";
        foreach ((string key, string? value) in environment)
        {
            result[key] = value;
        }

        return result;

        static bool IsBotSetting(string key) =>
            key.Contains("__", StringComparison.Ordinal)
            || key.Equals("OPENAI_API_KEY", StringComparison.OrdinalIgnoreCase)
            || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
            || key.Equals("ASPNETCORE_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>This process's environment variables.</summary>
    public static Dictionary<string, string?> InheritedEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value;
        }

        return result;
    }

    /// <summary>Runs to completion (bounded) and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string? input, params string[] args)
    {
        await using ChatbotsProcess process = Start(workingDirectory, environment, args);
        if (input is not null)
        {
            await process.WriteInputAsync(input);
        }

        process.CloseInput();
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return (code, process.AllOutput);
    }

    public async Task WriteInputAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until the output contains <paramref name="text"/> (bounded: a hang fails the test).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cts.Token);
                lock (_gate)
                {
                    if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                throw new InvalidOperationException($"chatbots exited ({_process.ExitCode}) before printing '{text}'. Output:\n{AllOutput}");
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (TimeoutException)
            {
                // Poll HasExited again.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"chatbots did not print '{text}'. Output:\n{AllOutput}");
            }
        }
    }

    /// <summary>Sends SIGTERM, as Docker and systemd do, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        SendTerminate();
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Sends SIGTERM and returns at once, for a test that acts while the process shuts down.</summary>
    public void SendTerminate()
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("SIGTERM needs a Unix-like OS; the end-to-end tests run on Linux.");
        }

        // libc's kill(2) rather than the kill program, which the SDK image's test stage does not have.
        if (NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chatbots did not exit in {timeout}. Output:\n{AllOutput}");
        }

        // Let the asynchronous output readers drain.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line, bool stderr)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            (stderr ? _stderr : _stdout).AppendLine(line);
            _lines.Enqueue(line);
            TaskCompletionSource old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }
}
