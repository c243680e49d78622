using System.Threading.Channels;
using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Lanes;

/// <summary>One conversation's queue and its single consumer. <see cref="State"/> belongs to the consumer.</summary>
internal sealed class Lane<TItem>
{
    public Lane(ConversationKey key, int capacity)
    {
        Key = key;
        Channel = System.Threading.Channels.Channel.CreateBounded<TItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ConversationKey Key { get; }

    public Channel<TItem> Channel { get; }

    /// <summary>The consumer task; tracked so stopping can drain it.</summary>
    public Task Consumer { get; set; } = Task.CompletedTask;

    /// <summary>Per-conversation state the handler keeps while the lane lives (history in memory).</summary>
    public object? State { get; set; }
}
