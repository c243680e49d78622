using ChatBots.Discord.Adapter;
using ChatBots.Discord.Api;

namespace ChatBots.Discord.Tests;

public sealed class MessageMapperTests
{
    private const string Self = "42";
    private static readonly DiscordUser Human = new() { Id = "7", Username = "bob", GlobalName = null };

    [Theory]
    [InlineData("<@42> hi", "hi")]
    [InlineData("<@!42> hi", "hi")]
    [InlineData("hey <@42>, how are you", "hey , how are you")]
    [InlineData("<@43> is not me", "<@43> is not me")]
    public void StripMention_RemovesOnlyOwnMention(string content, string expected)
    {
        Assert.Equal(expected, DiscordMessageMapper.StripMention(content, Self));
    }

    [Fact]
    public void Classify_GuildMessageMentioningByTextOnly_IsMention()
    {
        var message = new DiscordMessage { Id = "1", ChannelId = "c", GuildId = "g", Author = Human, Content = "<@!42> hello" };

        Assert.Equal(DiscordMessageMapper.Addressing.Mention, DiscordMessageMapper.Classify(message, Self, [], _ => false));
    }

    [Fact]
    public void Classify_ReplyToSomeoneElse_Ignored()
    {
        var message = new DiscordMessage
        {
            Id = "1",
            ChannelId = "c",
            GuildId = "g",
            Author = Human,
            Type = 19,
            Content = "sure",
            ReferencedMessage = new DiscordMessage { Id = "0", Author = new DiscordUser { Id = "99" } },
        };

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, DiscordMessageMapper.Classify(message, Self, [], _ => false));
    }

    [Fact]
    public void Classify_SystemAuthorOrThreadStarter_Ignored()
    {
        var system = new DiscordMessage { Id = "1", ChannelId = "c", Author = new DiscordUser { Id = "5", System = true }, Content = "x" };
        var starter = new DiscordMessage { Id = "2", ChannelId = "c", Author = Human, Type = 21, Content = "" };

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, DiscordMessageMapper.Classify(system, Self, [], _ => false));
        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, DiscordMessageMapper.Classify(starter, Self, [], _ => false));
    }

    [Fact]
    public void Map_GuildVoiceAttachment_UsesUsernameWhenNoGlobalName()
    {
        var message = new DiscordMessage
        {
            Id = "1",
            ChannelId = "c",
            GuildId = "g",
            Author = Human,
            Flags = 8192,
            Attachments = [new DiscordAttachment { Id = "a1", Filename = "voice-message.ogg", ContentType = null, Size = 1234, Url = "http://x", DurationSecs = 2.5 }],
        };

        var incoming = DiscordMessageMapper.Map(message, Self, "c", _ => _ => Task.FromResult<Stream>(new MemoryStream()));

        Assert.Equal("bob", incoming.AuthorName);
        Assert.Equal("a1", incoming.Audio!.UniqueId);
        Assert.Equal(1234, incoming.Audio.SizeBytes);
        Assert.Equal(TimeSpan.FromSeconds(2.5), incoming.Audio.Duration);
        Assert.Equal("1", incoming.ReplyToMessageId);
    }

    [Fact]
    public void FindAudio_ImageAttachmentWithoutVoiceFlag_None()
    {
        var message = new DiscordMessage
        {
            Id = "1",
            ChannelId = "c",
            Author = Human,
            Attachments = [new DiscordAttachment { Id = "a1", Filename = "cat.png", ContentType = "image/png", Size = 10, Url = "http://x" }],
        };

        Assert.Null(DiscordMessageMapper.FindAudio(message));
    }
}
