using System.ComponentModel.DataAnnotations;

namespace ChatBots.Storage;

/// <summary>Where the SQLite store keeps its file. Bound to the <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// The directory holding <c>chatbots.db</c> (created when missing). A relative path is resolved against the
    /// current directory; the Docker image mounts a volume here.
    /// </summary>
    [Required(ErrorMessage = "Storage:DataDirectory must name the directory that holds chatbots.db.")]
    public string DataDirectory { get; set; } = "./data";
}
