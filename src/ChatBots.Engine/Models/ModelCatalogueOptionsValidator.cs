using System.Globalization;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Models;

/// <summary>
/// Checks every catalogue entry (and <c>Models:Unknown</c>) at start and on reload, naming the bad key:
/// <c>ValidateDataAnnotations</c> does not look inside the <c>Entries</c> dictionary or the nested <c>Unknown</c> object.
/// </summary>
internal sealed class ModelCatalogueOptionsValidator : IValidateOptions<ModelCatalogueOptions>
{
    private const decimal MaxPrice = 1_000_000m;

    public ValidateOptionsResult Validate(string? name, ModelCatalogueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach ((string id, ModelEntryOptions entry) in options.Entries)
        {
            if (entry is null)
            {
                continue;
            }

            Check(failures, $"{ModelCatalogueOptions.Section}:Entries:{id}", entry, allowAudioOnly: true);
        }

        if (options.Unknown is { } unknown)
        {
            Check(failures, $"{ModelCatalogueOptions.Section}:Unknown", unknown, allowAudioOnly: false);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string key, ModelEntryOptions e, bool allowAudioOnly)
    {
        if (!string.Equals(e.Encoding, TokenEncodings.O200kBase, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(e.Encoding, TokenEncodings.Cl100kBase, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{key}:Encoding must be {TokenEncodings.O200kBase} or {TokenEncodings.Cl100kBase} (was '{e.Encoding}').");
        }

        Price(failures, $"{key}:InputPerMTok", e.InputPerMTok);
        Price(failures, $"{key}:CachedInputPerMTok", e.CachedInputPerMTok);
        Price(failures, $"{key}:OutputPerMTok", e.OutputPerMTok);
        Price(failures, $"{key}:AudioPerMinute", e.AudioPerMinute);

        // A transcription model has no window; a chat model needs one that leaves room for a prompt after the output.
        if (!(allowAudioOnly && e.IsAudioOnly))
        {
            if (e.ContextWindow <= 0)
            {
                failures.Add(allowAudioOnly
                    ? $"{key}:ContextWindow must be > 0 (or give only AudioPerMinute for a transcription model)."
                    : $"{key}:ContextWindow must be > 0.");
            }
            else
            {
                if (e.MaxOutputTokens <= 0 || e.MaxOutputTokens >= e.ContextWindow)
                {
                    failures.Add(Invariant($"{key}:MaxOutputTokens must be > 0 and below {key}:ContextWindow ({e.ContextWindow}) (was {e.MaxOutputTokens})."));
                }

                if (e.MaxInputTokens is { } input && (input <= 0 || input > e.ContextWindow))
                {
                    failures.Add(Invariant($"{key}:MaxInputTokens must be > 0 and at most {key}:ContextWindow ({e.ContextWindow}) (was {input})."));
                }
            }
        }

        if (e.LongContextThreshold is { } threshold && threshold <= 0)
        {
            failures.Add(Invariant($"{key}:LongContextThreshold must be > 0 input tokens (was {threshold})."));
        }

        Multiplier(failures, $"{key}:LongContextInputMultiplier", e.LongContextInputMultiplier, e.LongContextThreshold);
        Multiplier(failures, $"{key}:LongContextOutputMultiplier", e.LongContextOutputMultiplier, e.LongContextThreshold);
    }

    private static void Price(List<string> failures, string key, decimal? value)
    {
        if (value is { } v && (v < 0 || v > MaxPrice))
        {
            failures.Add(Invariant($"{key} must be ≥ 0 and at most {MaxPrice} dollars (was {v})."));
        }
    }

    private static void Multiplier(List<string> failures, string key, decimal? value, int? threshold)
    {
        if (value is not { } v)
        {
            return;
        }

        if (v < 1m || v > 100m)
        {
            failures.Add(Invariant($"{key} must be between 1 and 100 (was {v})."));
        }
        else if (threshold is null)
        {
            failures.Add($"{key} needs a LongContextThreshold beside it.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
