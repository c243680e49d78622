using ChatBots.Engine.Conversations;
using Microsoft.Extensions.Logging;

namespace ChatBots.Engine.Lanes;

/// <summary>
/// Ordered within a conversation, parallel across conversations: each conversation has a bounded queue with one
/// consumer; consumers take a global slot before handling, so at most <c>maxConcurrency</c> handlers run at once.
/// A lane that stays empty for the idle timeout is removed with its state, so idle conversations cost no memory.
/// </summary>
internal sealed partial class ConversationLanes<TItem>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ConversationKey, Lane<TItem>> _lanes = [];
    private readonly SemaphoreSlim _slots;
    private readonly int _capacity;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly Func<Lane<TItem>, TItem, CancellationToken, Task> _handler;
    private readonly Func<TItem, Task> _abandoned;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private bool _stopping;

    public ConversationLanes(
        int capacity,
        int maxConcurrency,
        TimeSpan idleTimeout,
        TimeProvider time,
        Func<Lane<TItem>, TItem, CancellationToken, Task> handler,
        Func<TItem, Task> abandoned,
        ILogger logger)
    {
        _capacity = capacity;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _idleTimeout = idleTimeout;
        _time = time;
        _handler = handler;
        _abandoned = abandoned;
        _logger = logger;
    }

    /// <summary>Lanes currently alive (conversations with queued or recent work).</summary>
    public int ActiveLanes
    {
        get
        {
            lock (_gate)
            {
                return _lanes.Count;
            }
        }
    }

    /// <summary>Queues the item; never waits.</summary>
    public EnqueueResult Enqueue(ConversationKey key, TItem item)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return EnqueueResult.Stopping;
            }

            if (!_lanes.TryGetValue(key, out Lane<TItem>? lane))
            {
                lane = new Lane<TItem>(key, _capacity);
                _lanes[key] = lane;
                lane.Consumer = Task.Run(() => ConsumeAsync(lane));
            }

            return lane.Channel.Writer.TryWrite(item) ? EnqueueResult.Accepted : EnqueueResult.Busy;
        }
    }

    /// <summary>
    /// Stops accepting, lets every queued item finish, and returns when all lanes are drained. When
    /// <paramref name="cancellationToken"/> fires first, in-flight handlers are cancelled.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] consumers;
        lock (_gate)
        {
            if (!_stopping)
            {
                _stopping = true;
                // Under the lock, so once this is logged every later Enqueue answers Stopping: a test (or an operator
                // reading the log) can rely on that order.
                LogStopping(_logger, _lanes.Count);
            }

            foreach (Lane<TItem> lane in _lanes.Values)
            {
                lane.Channel.Writer.TryComplete();
            }

            consumers = [.. _lanes.Values.Select(l => l.Consumer)];
        }

        try
        {
            await Task.WhenAll(consumers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync();
            await Task.WhenAll(consumers);
        }
    }

    private async Task ConsumeAsync(Lane<TItem> lane)
    {
        var reader = lane.Channel.Reader;
        while (true)
        {
            if (!reader.TryRead(out TItem? item))
            {
                if (!await WaitForItemAsync(lane))
                {
                    return;
                }

                continue;
            }

            try
            {
                await _slots.WaitAsync(_abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogCancelled(_logger, lane.Key.ToString());
                await AbandonAsync(lane, item);
                return;
            }

            try
            {
                await _handler(lane, item, _abort.Token);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                LogCancelled(_logger, lane.Key.ToString());
            }
            catch (Exception ex)
            {
                // The handler answers its own failures; anything reaching here is a bug, and must not kill the lane.
                LogHandlerFailed(_logger, lane.Key.ToString(), ex);
            }
            finally
            {
                _slots.Release();
            }
        }
    }

    /// <summary>
    /// Shutdown ran out of time before these items were handled: each is told so (its adapter keeps it for the next
    /// start) instead of being dropped without a word.
    /// </summary>
    private async Task AbandonAsync(Lane<TItem> lane, TItem first)
    {
        TItem? item = first;
        do
        {
            try
            {
                await _abandoned(item!);
            }
            catch (Exception ex)
            {
                // One adapter's failure to record an abandoned item must not keep the others from being told.
                LogHandlerFailed(_logger, lane.Key.ToString(), ex);
            }
        }
        while (lane.Channel.Reader.TryRead(out item));
    }

    /// <summary>Waits for the next item; false when the lane was completed or retired for idleness.</summary>
    private async Task<bool> WaitForItemAsync(Lane<TItem> lane)
    {
        var reader = lane.Channel.Reader;
        using var idle = new CancellationTokenSource(_idleTimeout, _time);
        try
        {
            return await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            lock (_gate)
            {
                // Enqueue writes under the same lock, so an empty reader here stays empty.
                if (reader.TryPeek(out _))
                {
                    return true;
                }

                _lanes.Remove(lane.Key);
                lane.Channel.Writer.TryComplete();
                lane.State = null;
                return false;
            }
        }
    }

    [LoggerMessage(1101, LogLevel.Warning, "Handling a message of {Conversation} was cancelled by shutdown")]
    private static partial void LogCancelled(ILogger logger, string conversation);

    [LoggerMessage(1103, LogLevel.Information, "Engine stopped accepting messages; draining {Lanes} conversations")]
    private static partial void LogStopping(ILogger logger, int lanes);

    [LoggerMessage(1102, LogLevel.Error, "Unhandled failure in the lane of {Conversation}")]
    private static partial void LogHandlerFailed(ILogger logger, string conversation, Exception exception);
}
