using System.Net;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Exceptions;

namespace ChatBots.Telegram;

/// <summary>
/// One outbound queue per chat: requests to a chat run one at a time, in order, within the rate limits, and a 429 is
/// honoured here (the only retry layer: the client is built with RetryThreshold = 0) by waiting retry_after and sending
/// the same request again. Different chats have separate queues, so a slow or throttled chat never delays another.
/// </summary>
internal sealed partial class TelegramOutbox(TelegramRateLimiter limiter, TimeProvider time, ILogger<TelegramOutbox> logger)
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);
    private const int MaxAttempts = 6;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, ChatQueue> _queues = [];

    /// <summary>Runs <paramref name="send"/> on the chat's queue and returns its result once it succeeded or failed for good.</summary>
    public Task<T> SendAsync<T>(long chatId, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        var item = new WorkItem<T>(send, cancellationToken);
        lock (_gate)
        {
            if (!_queues.TryGetValue(chatId, out ChatQueue? queue))
            {
                _queues[chatId] = queue = new ChatQueue();
            }

            queue.Items.Enqueue(item);
            if (!queue.Running)
            {
                queue.Running = true;
                _ = Task.Run(() => DrainAsync(chatId, queue), CancellationToken.None);
            }
        }

        return item.Completion.Task;
    }

    private async Task DrainAsync(long chatId, ChatQueue queue)
    {
        while (true)
        {
            IWorkItem item;
            lock (_gate)
            {
                if (queue.Items.Count == 0)
                {
                    // Idle queues are dropped so memory does not grow with the number of chats ever seen.
                    queue.Running = false;
                    _queues.Remove(chatId);
                    return;
                }

                item = queue.Items.Dequeue();
            }

            await RunAsync(chatId, item);
        }
    }

    private async Task RunAsync(long chatId, IWorkItem item)
    {
        CancellationToken ct = item.CancellationToken;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await limiter.WaitAsync(chatId, ct);
                await item.RunAsync(ct);
                return;
            }
            catch (OperationCanceledException ex) when (ct.IsCancellationRequested)
            {
                item.Fail(ex);
                return;
            }
            catch (ApiRequestException ex) when (ex.ErrorCode == 429 && attempt < MaxAttempts)
            {
                TimeSpan wait = TimeSpan.FromSeconds(Math.Max(1, ex.Parameters?.RetryAfter ?? 1));
                wait = wait > MaxRetryAfter ? MaxRetryAfter : wait;
                Log.RateLimited(logger, chatId, wait);
                if (!await DelayAsync(wait, item))
                {
                    return;
                }
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < MaxAttempts)
            {
                TimeSpan wait = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
                Log.SendRetry(logger, chatId, attempt, wait, ex);
                if (!await DelayAsync(wait, item))
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                item.Fail(ex);
                return;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan wait, IWorkItem item)
    {
        try
        {
            await Task.Delay(wait, time, item.CancellationToken);
            return true;
        }
        catch (OperationCanceledException ex)
        {
            item.Fail(ex);
            return false;
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        ApiRequestException api => api.ErrorCode >= 500,
        RequestException request => request.HttpStatusCode is null || (int)request.HttpStatusCode >= 500 || request.HttpStatusCode == HttpStatusCode.RequestTimeout,
        HttpRequestException => true,
        _ => false,
    };

    private interface IWorkItem
    {
        CancellationToken CancellationToken { get; }

        Task RunAsync(CancellationToken cancellationToken);

        void Fail(Exception exception);
    }

    private sealed class WorkItem<T>(Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken) : IWorkItem
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken CancellationToken => cancellationToken;

        public async Task RunAsync(CancellationToken ct) => Completion.TrySetResult(await send(ct));

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    private sealed class ChatQueue
    {
        public Queue<IWorkItem> Items { get; } = new();

        public bool Running { get; set; }
    }
}
