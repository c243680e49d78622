using Microsoft.Extensions.Options;

namespace ChatBots.Discord;

/// <summary>Cross-field and list checks DataAnnotations cannot express; every message names the key.</summary>
internal sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        List<string> failures = [];
        if (options.ShardId >= options.ShardCount)
        {
            failures.Add($"Discord:ShardId ({options.ShardId}) must be less than Discord:ShardCount ({options.ShardCount}).");
        }

        if (options.MaxReconnectDelay < options.ReconnectDelay)
        {
            failures.Add("Discord:MaxReconnectDelay must not be less than Discord:ReconnectDelay.");
        }

        CheckIds(options.AnswerAllChannelIds, "Discord:AnswerAllChannelIds", failures);
        CheckIds(options.CommandGuildIds, "Discord:CommandGuildIds", failures);
        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Discord:ApiBaseUrl must be an absolute http(s) URL such as https://discord.com/api.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckIds(IEnumerable<string> ids, string key, List<string> failures)
    {
        foreach (string id in ids)
        {
            if (!ulong.TryParse(id, out _))
            {
                failures.Add($"{key} must contain Discord ids (digits); '{id}' is not one.");
            }
        }
    }
}
