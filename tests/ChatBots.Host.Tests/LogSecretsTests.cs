using System.Text;
using ChatBots.Testing.Discord;
using ChatBots.Testing.OpenAI;
using ChatBots.Testing.Process;
using ChatBots.Testing.Telegram;

namespace ChatBots.Host.Tests;

/// <summary>
/// The real process at Trace, every category, with known secrets: a Telegram token (which Telegram puts in every URL),
/// a Discord token, an OpenAI key and a proxy password. A real exchange on both platforms, through the proxy, then
/// SIGTERM; none of the secrets may appear anywhere in the output.
/// </summary>
public sealed class LogSecretsTests
{
    private const string TelegramSecret = "ABCdefTelegramSecret_0123456789";
    private const string TelegramToken = "123456:" + TelegramSecret;
    private const string DiscordToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GsEcRt.discord-secret-0123456789";
    private const string OpenAIKey = "sk-proj-openai-secret-0123456789";
    private const string ProxyUser = "proxyuser";
    private const string ProxyPassword = "proxy-secret-0123456789";
    private const string DiscordDm = "700000000000000066";

    [Fact]
    public async Task Run_AtTraceWithKnownSecrets_WritesNoneOfThemToTheLogs()
    {
        using var dir = new TempDirectory();
        await using FakeOpenAIServer openai = await FakeOpenAIServer.StartAsync();
        openai.RequiredProxyCredentials = $"{ProxyUser}:{ProxyPassword}";
        openai.DefaultChatResponder = r => FakeChatReply.WithText($"reply to: {r.LastUserText}", 50, 5);
        await using FakeTelegramBotApi telegram = await FakeTelegramBotApi.StartAsync(TelegramToken);
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        Dictionary<string, string?> settings = ChildBot.Settings(openai, telegram, discord);
        settings["Discord__BotToken"] = DiscordToken;
        settings["OpenAI__ApiKey"] = OpenAIKey;
        // The fake doubles as the forward proxy; the API host does not exist, so only a proxied request gets through.
        settings["OpenAI__BaseUrl"] = "http://api.openai.invalid/v1";
        settings["OpenAI__Proxy"] = $"http://{ProxyUser}:{ProxyPassword}@{openai.RootUrl.Authority}";
        settings["Logging__LogLevel__Default"] = "Trace";
        settings["Logging__LogLevel__Microsoft"] = "Trace";
        settings["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Trace";
        settings["Logging__LogLevel__System.Net.Http.HttpClient"] = "Trace";

        await using (ChatbotsProcess bot = ChatbotsProcess.Start(dir.Path, settings, "run"))
        {
            telegram.EnqueueMessage(TelegramUpdates.PrivateText(4242, "hello over telegram"));
            Assert.Equal("reply to: hello over telegram", (await telegram.NextMessageAsync(4242, ChildBot.Guard)).Text);
            await bot.WaitForOutputAsync("Discord READY", ChildBot.Guard);
            await discord.SendDispatchAsync("MESSAGE_CREATE", DiscordPayloads.DirectMessage(DiscordDm, "hello over discord"));
            await discord.WaitForRequestAsync(r => r.Method == "POST" && r.Path == $"channels/{DiscordDm}/messages", ChildBot.Guard);
            Assert.Equal(0, await bot.TerminateAsync(ChildBot.Guard));

            string output = bot.AllOutput;
            // The secrets were really used: the fakes saw them.
            Assert.Contains($"Bot {DiscordToken}", discord.Requests.Select(r => r.Authorization));
            Assert.All(openai.ChatRequests, r => Assert.Equal($"Bearer {OpenAIKey}", r.Authorization));
            Assert.Contains(openai.ProxyAuthorizations, a => a == "Basic " + Basic(ProxyUser, ProxyPassword));
            // Trace was on (message text is logged only at Trace), so a leak at any level would have been written.
            Assert.Contains("trce: ", output, StringComparison.Ordinal);
            Assert.Contains("hello over telegram", output, StringComparison.Ordinal);
            Assert.Contains("hello over discord", output, StringComparison.Ordinal);
            foreach (string secret in new[] { TelegramSecret, DiscordToken, OpenAIKey, ProxyPassword, Basic(ProxyUser, ProxyPassword) })
            {
                Assert.False(output.Contains(secret, StringComparison.Ordinal), $"The logs contain the secret '{secret}':\n{Around(output, secret)}");
            }
        }
    }

    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string Around(string output, string secret)
    {
        int at = output.IndexOf(secret, StringComparison.Ordinal);
        int start = Math.Max(0, at - 400);
        return output[start..Math.Min(output.Length, at + secret.Length + 200)];
    }
}
