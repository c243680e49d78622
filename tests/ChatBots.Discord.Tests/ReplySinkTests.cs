using ChatBots.Discord.Adapter;
using ChatBots.Discord.Rest;
using ChatBots.Engine.Conversations;
using ChatBots.Testing.Discord;
using ChatBots.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ChatBots.Discord.Tests;

public sealed class ReplySinkTests
{
    private const string Channel = "590000000000000001";

    [Fact]
    public async Task MessageSink_LongWork_TypingRepeatsAboutEveryEightSecondsUntilAnswered()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
        await using FakeDiscordServer discord = await FakeDiscordServer.StartAsync();
        using IHost host = DiscordTestHost.Build(discord, null, new FakeConversationEngine(), new InMemoryKeyValueStore(), time);
        DiscordRestClient rest = host.Services.GetRequiredService<DiscordRestClient>();
        var sink = new DiscordMessageSink(rest, Channel, "591", "591", time, NullLogger.Instance);
        int Typings() => discord.RequestsTo("POST", $"channels/{Channel}/typing").Count;

        await sink.WorkStartedAsync(CancellationToken.None);
        await DiscordTestHost.WaitUntilAsync(() => Typings() == 1);

        // Advance in 1 s steps: the second indicator must not come before 8 s of (fake) time.
        int seconds = 0;
        while (Typings() < 2 && seconds < 30)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            seconds++;
            if (seconds < 8)
            {
                await Task.Delay(30);
                Assert.Equal(1, Typings());
            }
            else
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(2, Typings());
        Assert.InRange(seconds, 8, 30);

        await sink.SendAsync(new OutgoingReply("answer", ReplyKind.Answer), CancellationToken.None);
        await sink.WorkFinishedAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(100);

        Assert.Equal(2, Typings());
        RecordedRequest reply = Assert.Single(discord.RequestsTo("POST", $"channels/{Channel}/messages"));
        Assert.Equal("591", reply.Json!["message_reference"]!["message_id"]!.GetValue<string>());
    }
}
