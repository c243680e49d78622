using System.ComponentModel.DataAnnotations;

namespace ChatBots.Host.Health;

/// <summary>The optional health endpoint. Section <c>Health</c>.</summary>
internal sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Serve <c>/healthz</c> and <c>/readyz</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where to listen; loopback by default so nothing is exposed by accident.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Health:Url must be an http URL such as http://127.0.0.1:8080.")]
    [Url(ErrorMessage = "Health:Url must be an http URL such as http://127.0.0.1:8080.")]
    public string Url { get; set; } = "http://127.0.0.1:8080";
}
