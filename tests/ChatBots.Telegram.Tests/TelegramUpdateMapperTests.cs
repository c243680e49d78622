using Microsoft.Extensions.Options;

namespace ChatBots.Telegram.Tests;

public sealed class TelegramUpdateMapperTests
{
    [Theory]
    [InlineData("talk.mp3", "audio/mpeg", "talk.mp3")]
    [InlineData(null, "audio/mpeg", "audio.mp3")]
    [InlineData(null, "audio/x-m4a", "audio.m4a")]
    [InlineData("recording", "audio/ogg", "recording.ogg")]
    [InlineData(null, "audio/x-wav", "audio.wav")]
    [InlineData(null, null, "audio.ogg")]
    public void FileName_KeepsOrDerivesTheRealExtension(string? name, string? mime, string expected)
    {
        Assert.Equal(expected, TelegramUpdateMapper.FileName(name, mime, "audio"));
    }

    [Fact]
    public void Validator_BadSettings_MessagesNameTheKeysButNotTheToken()
    {
        var options = new TelegramOptions
        {
            BotToken = "not a token secret-value",
            ApiBaseUrl = "ftp://x",
            Mode = TelegramMode.Webhook,
            Webhook = new TelegramWebhookOptions { PublicUrl = "http://insecure", Path = "hook", ListenUrl = "nope", SecretToken = "has spaces" },
        };

        ValidateOptionsResult result = new TelegramOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string[] keys = ["Telegram:BotToken", "Telegram:ApiBaseUrl", "Telegram:Webhook:PublicUrl", "Telegram:Webhook:Path", "Telegram:Webhook:ListenUrl", "Telegram:Webhook:SecretToken"];
        Assert.All(keys, k => Assert.Contains(k, result.FailureMessage, StringComparison.Ordinal));
        Assert.DoesNotContain("secret-value", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_DefaultsWithToken_Succeed()
    {
        Assert.True(new TelegramOptionsValidator().Validate(null, new TelegramOptions { BotToken = "123456:ABC-def_1" }).Succeeded);
    }
}
