using ChatBots.Discord.Adapter;
using ChatBots.Discord.Api;
using ChatBots.Engine.Conversations;

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

        Assert.Equal(DiscordMessageMapper.Addressing.Mention, Classify(message));
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

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(message));
    }

    [Fact]
    public void Classify_SystemAuthorOrThreadStarter_Ignored()
    {
        var system = new DiscordMessage { Id = "1", ChannelId = "c", Author = new DiscordUser { Id = "5", System = true }, Content = "x" };
        var starter = new DiscordMessage { Id = "2", ChannelId = "c", Author = Human, Type = 21, Content = "" };

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(system));
        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(starter));
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

        IncomingMessage incoming = DiscordMessageMapper.Map(message, Self, "c", _ => _ => Task.FromResult<Stream>(new MemoryStream()));

        Assert.Equal("bob", incoming.AuthorName);
        Assert.Equal("a1", incoming.Audio!.UniqueId);
        Assert.Equal(1234, incoming.Audio.SizeBytes);
        Assert.Equal(TimeSpan.FromSeconds(2.5), incoming.Audio.Duration);
        Assert.Equal("1", incoming.ReplyToMessageId);
    }

    [Fact]
    public void Classify_OwnUserIdWithoutBotFlag_Ignored()
    {
        // The self-id check alone: the bot's own message mentions itself and is in a DM, and carries no "bot": true.
        var own = new DiscordMessage { Id = "1", ChannelId = "c", Author = new DiscordUser { Id = Self, Username = "chatbots" }, Content = "<@42> echo" };

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(own));
        Assert.Equal(DiscordMessageMapper.Addressing.DirectMessage, Classify(own with { Author = Human }));
    }

    [Fact]
    public void Classify_ReplyWithoutReferencedMessageToMessageTheBotSent_IsReplyToBot()
    {
        var reply = new DiscordMessage
        {
            Id = "2",
            ChannelId = "c",
            GuildId = "g",
            Author = Human,
            Type = 19,
            Content = "and then?",
            MessageReference = new MessageReference { MessageId = "100", ChannelId = "c" },
        };

        Assert.Equal(DiscordMessageMapper.Addressing.ReplyToBot, Classify(reply, botMessages: ["100"]));
        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(reply, botMessages: ["101"]));
    }

    [Fact]
    public void Classify_ReferencedMessageBySomeoneElse_NotTakenForBotEvenIfIdKnown()
    {
        // referenced_message, when present, is the truth; the id fallback is only for when Discord leaves it out.
        var reply = new DiscordMessage
        {
            Id = "2",
            ChannelId = "c",
            GuildId = "g",
            Author = Human,
            Type = 19,
            Content = "sure",
            MessageReference = new MessageReference { MessageId = "100" },
            ReferencedMessage = new DiscordMessage { Id = "100", Author = new DiscordUser { Id = "99" } },
        };

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(reply, botMessages: ["100"]));
    }

    [Fact]
    public void Map_AudioAttachmentWithoutVoiceFlag_MapsToAudio()
    {
        // An uploaded audio file (not recorded in the client) has no flag 8192 but is still something to transcribe.
        var message = new DiscordMessage
        {
            Id = "1",
            ChannelId = "c",
            Author = Human,
            Content = "what does this say?",
            Attachments =
            [
                new DiscordAttachment { Id = "img", Filename = "cover.png", ContentType = "image/png", Size = 10, Url = "http://x/cover.png" },
                new DiscordAttachment { Id = "a2", Filename = "memo.mp3", ContentType = "audio/mpeg", Size = 4096, Url = "http://x/memo.mp3" },
            ],
        };

        IncomingMessage incoming = DiscordMessageMapper.Map(message, Self, "c", _ => _ => Task.FromResult<Stream>(new MemoryStream()));

        Assert.NotNull(incoming.Audio);
        Assert.Equal("a2", incoming.Audio.UniqueId);
        Assert.Equal("memo.mp3", incoming.Audio.FileName);
        Assert.Equal("audio/mpeg", incoming.Audio.MimeType);
        Assert.Equal(4096, incoming.Audio.SizeBytes);
        Assert.Null(incoming.Audio.Duration);
        Assert.Equal("what does this say?", incoming.Text);
    }

    [Fact]
    public void Classify_GuildVoiceMessageNotAddressingBot_Ignored()
    {
        DiscordMessage voice = GuildVoiceMessage();

        Assert.Equal(DiscordMessageMapper.Addressing.Ignored, Classify(voice));
    }

    [Fact]
    public void Classify_GuildVoiceMessageReplyingToBot_HandledWithAudio()
    {
        DiscordMessage voice = GuildVoiceMessage() with
        {
            Type = 19,
            MessageReference = new MessageReference { MessageId = "100", ChannelId = "c" },
            ReferencedMessage = new DiscordMessage { Id = "100", ChannelId = "c", Author = new DiscordUser { Id = Self, Bot = true } },
        };

        Assert.Equal(DiscordMessageMapper.Addressing.ReplyToBot, Classify(voice));
        IncomingMessage incoming = DiscordMessageMapper.Map(voice, Self, "c", _ => _ => Task.FromResult<Stream>(new MemoryStream()));
        Assert.Equal("v1", incoming.Audio!.UniqueId);
        Assert.Equal(TimeSpan.FromSeconds(4.2), incoming.Audio.Duration);
        Assert.Equal("", incoming.Text);
        Assert.Equal("9", incoming.MessageId);
    }

    [Fact]
    public void Map_AnyMessage_MessageIdIsTheDiscordMessageId()
    {
        // The engine deduplicates replays by MessageId: it must be Discord's id, also when answering in a new thread.
        var message = new DiscordMessage { Id = "1234567890123456789", ChannelId = "c", GuildId = "g", Author = Human, Content = "<@42> hi" };

        Assert.Equal("1234567890123456789", DiscordMessageMapper.Map(message, Self, "c", _ => _ => Task.FromResult<Stream>(new MemoryStream())).MessageId);
        Assert.Equal("1234567890123456789", DiscordMessageMapper.Map(message, Self, "thread-1", _ => _ => Task.FromResult<Stream>(new MemoryStream())).MessageId);
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

    private static DiscordMessageMapper.Addressing Classify(DiscordMessage message, IReadOnlyCollection<string>? botMessages = null) =>
        DiscordMessageMapper.Classify(message, Self, [], _ => false, id => botMessages?.Contains(id) == true);

    /// <summary>A voice message in a guild channel as Discord sends it: flag 8192, no content, one OGG attachment.</summary>
    private static DiscordMessage GuildVoiceMessage() => new()
    {
        Id = "9",
        ChannelId = "c",
        GuildId = "g",
        Author = Human,
        Content = "",
        Flags = 8192,
        Attachments = [new DiscordAttachment { Id = "v1", Filename = "voice-message.ogg", ContentType = "audio/ogg", Size = 5000, Url = "http://x/v.ogg", DurationSecs = 4.2 }],
    };
}
