using System.ComponentModel.DataAnnotations;

namespace ChatBots.Host;

/// <summary>The <c>Host</c> section.</summary>
internal sealed class HostShutdownOptions
{
    public const string Section = "Host";

    /// <summary>How long in-flight replies get to finish on SIGTERM; the default stays below Docker's 10 s stop grace period.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Host:ShutdownTimeout must be between 00:00:01 and 00:10:00.")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(8);
}
