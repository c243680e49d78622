namespace ChatBots.Telegram;

/// <summary>
/// Telegram's published limits (Bot FAQ): about one message per second per chat (short bursts pass), 20 messages
/// per minute per group, about 30 messages per second overall. Waits on the injected clock.
/// </summary>
internal sealed class TelegramRateLimiter(TimeProvider time)
{
    private const int ChatBurst = 3;
    private static readonly TimeSpan ChatInterval = TimeSpan.FromSeconds(1);
    private const int GroupPerMinute = 20;
    private const int GlobalPerSecond = 30;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, ChatWindow> _chats = [];
    private readonly Queue<DateTimeOffset> _global = new();

    /// <summary>Waits until one more message to <paramref name="chatId"/> is within every limit, then counts it.</summary>
    public async Task WaitAsync(long chatId, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait = TryAcquire(chatId);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private TimeSpan TryAcquire(long chatId)
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (!_chats.TryGetValue(chatId, out ChatWindow? chat))
            {
                if (_chats.Count > 10_000)
                {
                    Prune(now);
                }

                _chats[chatId] = chat = new ChatWindow();
            }

            Trim(chat.Recent, now, ChatInterval * ChatBurst);
            Trim(chat.LastMinute, now, TimeSpan.FromMinutes(1));
            Trim(_global, now, TimeSpan.FromSeconds(1));

            TimeSpan wait = TimeSpan.Zero;
            // Sustained one per second, bursts of up to ChatBurst within ChatBurst seconds.
            if (chat.Recent.Count >= ChatBurst)
            {
                wait = Max(wait, chat.Recent.Peek() + (ChatInterval * ChatBurst) - now);
            }

            if (chat.Recent.Count > 0)
            {
                // Even in a burst keep a small gap, so parts are not flagged as flooding.
                wait = Max(wait, chat.Recent.Last() + (ChatInterval / 4) - now);
            }

            if (chatId < 0 && chat.LastMinute.Count >= GroupPerMinute)
            {
                wait = Max(wait, chat.LastMinute.Peek() + TimeSpan.FromMinutes(1) - now);
            }

            if (_global.Count >= GlobalPerSecond)
            {
                wait = Max(wait, _global.Peek() + TimeSpan.FromSeconds(1) - now);
            }

            if (wait > TimeSpan.Zero)
            {
                return wait;
            }

            chat.Recent.Enqueue(now);
            chat.LastMinute.Enqueue(now);
            _global.Enqueue(now);
            return TimeSpan.Zero;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (long id in _chats.Where(kv => kv.Value.LastMinute.Count == 0 || kv.Value.LastMinute.Last() < now - TimeSpan.FromMinutes(1)).Select(kv => kv.Key).ToList())
        {
            _chats.Remove(id);
        }
    }

    private static void Trim(Queue<DateTimeOffset> queue, DateTimeOffset now, TimeSpan window)
    {
        while (queue.Count > 0 && queue.Peek() <= now - window)
        {
            queue.Dequeue();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class ChatWindow
    {
        public Queue<DateTimeOffset> Recent { get; } = new();

        public Queue<DateTimeOffset> LastMinute { get; } = new();
    }
}
