using System.Runtime.InteropServices;

namespace ChatBots.Testing.Process;

/// <summary>libc's <c>kill(2)</c>: the SDK image's test stage has no <c>kill</c> program (procps) to run.</summary>
internal static class NativeMethods
{
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
