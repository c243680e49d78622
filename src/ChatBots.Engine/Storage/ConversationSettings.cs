namespace ChatBots.Engine.Storage;

/// <summary>
/// A conversation's own settings, changed by admins with <c>/settings</c>. A null field uses the configured default
/// (<c>Engine:ContextTokenCap</c>, <c>Engine:CostFooter</c>). Settings outlive <c>/reset</c>.
/// </summary>
/// <param name="ContextTokenCap">Upper bound of this conversation's prompt (tokens), below the model's window.</param>
/// <param name="CostFooter">Whether answers here carry the tokens-and-cost footer.</param>
public sealed record ConversationSettings(int? ContextTokenCap = null, bool? CostFooter = null)
{
    /// <summary>Every field at its default.</summary>
    public static ConversationSettings Default { get; } = new();

    /// <summary>True when nothing is set for this conversation.</summary>
    public bool IsDefault => ContextTokenCap is null && CostFooter is null;
}
