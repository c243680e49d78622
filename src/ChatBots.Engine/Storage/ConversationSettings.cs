using ChatBots.Engine.Options;

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

    /// <summary>
    /// These settings with a cap outside <see cref="EngineOptions.MinContextTokenCap"/>–<see cref="EngineOptions.MaxContextTokenCap"/>
    /// moved to the nearer bound: <c>/settings</c> never stores such a cap, but a row edited by hand or written by
    /// another build may hold one, and a cap of 10 tokens would leave no conversation possible.
    /// </summary>
    public ConversationSettings WithinBounds() =>
        ContextTokenCap is { } cap && (cap < EngineOptions.MinContextTokenCap || cap > EngineOptions.MaxContextTokenCap)
            ? this with { ContextTokenCap = Math.Clamp(cap, EngineOptions.MinContextTokenCap, EngineOptions.MaxContextTokenCap) }
            : this;
}
