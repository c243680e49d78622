namespace ChatBots.Engine.Options;

/// <summary>
/// Who may use the bot. Users are platform-qualified (<c>telegram:42</c>, <c>discord:80351110224678912</c>);
/// conversations are keys (<c>telegram:-1001234</c>, <c>discord:123456</c>); an entry allows everything inside it (a chat its topics and per-user histories, a topic its per-user histories).
/// Empty lists mean everyone. Section <c>Access</c>.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    public List<string> AllowedUsers { get; set; } = [];

    public List<string> AllowedConversations { get; set; } = [];

    /// <summary>Users who bypass budgets and allow-lists.</summary>
    public List<string> Admins { get; set; } = [];
}
