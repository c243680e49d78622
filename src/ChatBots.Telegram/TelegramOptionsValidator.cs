using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ChatBots.Telegram;

/// <summary>Checks the settings that DataAnnotations cannot express; every message names the key to fix (never its secret value).</summary>
internal sealed partial class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        var failures = new List<string>();
        if (!TokenPattern().IsMatch(options.BotToken))
        {
            failures.Add("Telegram:BotToken is not a token from BotFather (expected digits, a colon, then the secret, e.g. 123456:ABC-DEF...).");
        }

        if (!IsHttpUrl(options.ApiBaseUrl))
        {
            failures.Add("Telegram:ApiBaseUrl must be an absolute http(s) URL such as https://api.telegram.org.");
        }

        if (options.Mode == TelegramMode.Webhook)
        {
            TelegramWebhookOptions webhook = options.Webhook;
            if (!Uri.TryCreate(webhook.PublicUrl, UriKind.Absolute, out Uri? publicUrl) || publicUrl.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add("Telegram:Webhook:PublicUrl must be the public https:// URL Telegram can reach when Telegram:Mode is Webhook.");
            }

            if (string.IsNullOrWhiteSpace(webhook.Path) || !webhook.Path.StartsWith('/'))
            {
                failures.Add("Telegram:Webhook:Path must start with '/' (default /telegram/webhook).");
            }

            if (!IsHttpUrl(webhook.ListenUrl))
            {
                failures.Add("Telegram:Webhook:ListenUrl must be an http(s) URL to listen on, such as http://0.0.0.0:8443.");
            }

            if (webhook.SecretToken.Length > 0 && !SecretPattern().IsMatch(webhook.SecretToken))
            {
                failures.Add("Telegram:Webhook:SecretToken must be 1-256 characters of A-Z, a-z, 0-9, _ and - (or empty to generate one).");
            }
        }

        // DataAnnotations on the top-level options do not reach nested sections: validate this one here.
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options.Redelivery, new ValidationContext(options.Redelivery), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => r.ErrorMessage ?? "Telegram:Redelivery is invalid."));
        }

        if (options.Redelivery.MaxDelay < options.Redelivery.FirstDelay)
        {
            failures.Add("Telegram:Redelivery:MaxDelay must not be shorter than Telegram:Redelivery:FirstDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("^[0-9]{1,16}:[A-Za-z0-9_-]+$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    internal static partial Regex SecretPattern();
}
