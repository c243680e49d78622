using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Lanes;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Storage;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Voice;
using ChatBots.Engine.Window;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Processing;

/// <summary>
/// The conversation engine: one lane per conversation, commands, access, budgets, the prompt window with its rolling
/// summary, the model call, the ledger, and the replies. Registered as a hosted service so stopping drains the lanes.
/// </summary>
public sealed class ConversationEngine : IConversationEngine, IHostedService
{
    /// <summary>The fewest output tokens a call is allowed when a budget is nearly used up.</summary>
    public const int MinReplyTokens = 64;

    /// <summary>The most extra margin a model earns by miscounting (tokens).</summary>
    private const int MaxDrift = 4_096;

    private static readonly EngineCommand[] CommandList =
    [
        new("help", "What this bot does and its commands"),
        new("reset", "Forget this conversation's history"),
        new("usage", "Your tokens, cost and remaining budget"),
        new("summary", "Summarise this conversation so far"),
        new("settings", "This conversation's settings (admins can change them)"),
    ];

    private readonly IConversationStore _store;
    private readonly ILedgerStore _ledger;
    private readonly ModelCatalogue _catalogue;
    private readonly PromptFactory _prompts;
    private readonly ModelCaller _caller;
    private readonly Summarizer _summarizer;
    private readonly LedgerRecorder _recorder;
    private readonly BudgetGuard _budgets;
    private readonly VoicePipeline _voice;
    private readonly EngineMetrics _metrics;
    private readonly IOptionsMonitor<EngineOptions> _options;
    private readonly IOptionsMonitor<ModelSelectionOptions> _models;
    private readonly IOptionsMonitor<AccessOptions> _access;
    private readonly TimeProvider _time;
    private readonly ILogger<ConversationEngine> _logger;
    private readonly ConversationLanes<WorkItem> _lanes;
    private readonly ConcurrentDictionary<string, int> _drift = new(StringComparer.OrdinalIgnoreCase);

    public ConversationEngine(
        IConversationStore store,
        ILedgerStore ledger,
        ModelCatalogue catalogue,
        PromptFactory prompts,
        ModelCaller caller,
        Summarizer summarizer,
        LedgerRecorder recorder,
        BudgetGuard budgets,
        VoicePipeline voice,
        EngineMetrics metrics,
        IOptionsMonitor<EngineOptions> options,
        IOptionsMonitor<ModelSelectionOptions> models,
        IOptionsMonitor<AccessOptions> access,
        TimeProvider time,
        ILogger<ConversationEngine> logger)
    {
        _store = store;
        _ledger = ledger;
        _catalogue = catalogue;
        _prompts = prompts;
        _caller = caller;
        _summarizer = summarizer;
        _recorder = recorder;
        _budgets = budgets;
        _voice = voice;
        _metrics = metrics;
        _options = options;
        _models = models;
        _access = access;
        _time = time;
        _logger = logger;
        EngineOptions o = options.CurrentValue;
        _lanes = new ConversationLanes<WorkItem>(o.LaneCapacity, o.MaxConcurrentConversations, o.IdleLaneTimeout, time, HandleAsync, AbandonedAsync, logger);
    }

    public IReadOnlyList<EngineCommand> Commands => CommandList;

    /// <summary>Conversations with a live lane (queued work or recent activity).</summary>
    public int ActiveConversations => _lanes.ActiveLanes;

    public EnqueueResult Enqueue(IncomingMessage message, IReplySink sink) => _lanes.Enqueue(message.Conversation, new WorkItem(message, sink));

    /// <summary>Resolves the configured models once, so an unlisted one is warned about at start rather than at the first message.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ModelSelectionOptions models = _models.CurrentValue;
        _catalogue.Resolve(models.Model);
        _catalogue.Resolve(models.SummaryModel);
        _catalogue.Resolve(models.TranscriptionModel);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting and lets queued replies finish until the host's shutdown timeout cancels them.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _lanes.StopAsync(cancellationToken);

    /// <summary>Shutdown cut the drain short before this message was handled: its sink is still told the engine is done.</summary>
    private static Task AbandonedAsync(WorkItem item) => item.Sink.WorkFinishedAsync(CancellationToken.None).AsTask();

    private async Task HandleAsync(Lane<WorkItem> lane, WorkItem item, CancellationToken cancellationToken)
    {
        IncomingMessage message = item.Message;
        IReplySink sink = item.Sink;
        string conversation = message.Conversation.ToString();
        string platform = message.Conversation.Platform.ToString().ToLowerInvariant();
        string outcome = "handled";
        try
        {
            if (!IsAllowed(message))
            {
                Log.AccessRefused(_logger, conversation, message.QualifiedAuthorId);
                await SendAsync(sink, "Sorry, this bot is private and you are not on its allow-list.", ReplyKind.Notice, conversation, cancellationToken);
                return;
            }

            (CommandKind command, string name, string arguments) = CommandParser.Parse(message.Text);
            switch (command)
            {
                case CommandKind.Help:
                    await SendAsync(sink, HelpText(), ReplyKind.Command, conversation, cancellationToken);
                    return;
                case CommandKind.Reset:
                    await ResetAsync(lane, message, sink, cancellationToken);
                    return;
                case CommandKind.Usage:
                    await SendAsync(sink, await UsageTextAsync(message, cancellationToken), ReplyKind.Command, conversation, cancellationToken);
                    return;
                case CommandKind.Summary:
                    await SummaryCommandAsync(lane, message, sink, cancellationToken);
                    return;
                case CommandKind.Settings:
                    await SettingsCommandAsync(lane, message, arguments, sink, cancellationToken);
                    return;
                case CommandKind.Unknown:
                    await SendAsync(sink, $"I don't know the command /{name}. Try /help.", ReplyKind.Command, conversation, cancellationToken);
                    return;
            }

            if (message.Audio is null && string.IsNullOrWhiteSpace(message.Text))
            {
                return;
            }

            // Before the voice pipeline: a replayed voice note must not be downloaded, transcribed or billed again.
            if (await TryReplayAsync(lane, message, sink, cancellationToken))
            {
                return;
            }

            if (message.Audio is { } audio)
            {
                VoiceOutcome voiceOutcome = await _voice.HandleAsync(message, audio, sink, cancellationToken);
                if (voiceOutcome.TextToAnswer is { } transcript)
                {
                    await AnswerAsync(lane, message, VoicePipeline.SpokenTurn(message.Text, transcript), sink, cancellationToken);
                }

                return;
            }

            await AnswerAsync(lane, message, message.Text, sink, cancellationToken);
        }
        catch (ModelCallException ex)
        {
            outcome = "model_error";
            _metrics.Error(ex.Kind.ToString());
            if (ex.IsRoutine)
            {
                Log.ModelFailed(_logger, conversation, ex.Kind.ToString(), ex.Status, ex.ErrorCode ?? "none");
            }
            else
            {
                Log.ModelFailedUnexpectedly(_logger, conversation, ex.Kind.ToString(), ex.Status, ex);
            }

            await SendAsync(sink, ex.UserMessage, ReplyKind.Error, conversation, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            outcome = "failed";
            _metrics.Error("internal");
            Log.HandlerFailed(_logger, conversation, ex);
            await SendAsync(sink, "Sorry, something went wrong while answering. Please try again.", ReplyKind.Error, conversation, cancellationToken);
        }
        finally
        {
            _metrics.Message(platform, outcome);
            try
            {
                await sink.WorkFinishedAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                Log.DeliveryFailed(_logger, conversation, ex);
            }
        }
    }

    /// <summary>Answers one user text: window, budget, model call, ledger, store, reply.</summary>
    private async Task AnswerAsync(Lane<WorkItem> lane, IncomingMessage message, string text, IReplySink sink, CancellationToken cancellationToken)
    {
        ConversationKey key = message.Conversation;
        string conversation = key.ToString();
        EngineOptions options = _options.CurrentValue;
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        string encoding = model.Encoding;
        ConversationHistory history = await GetHistoryAsync(lane, encoding, cancellationToken);
        DateTimeOffset now = _time.GetUtcNow();
        (ChatMessage systemMessage, int systemTokens) = _prompts.SystemFor(key.Platform, now, message.IsGroup, encoding);
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id), history.Settings.ContextTokenCap);
        int summaryAllowance = SummaryAllowance(history, options);

        string? name = message.IsGroup ? PromptFactory.SanitizeName(message.AuthorName, message.AuthorId) : null;
        // The text is tokenized once; the framing (role, name) is counted apart, so the budget arithmetic needs no recount.
        int framing = _prompts.TurnFraming(TurnRole.User, name, encoding);
        int messageTokens = framing + _prompts.Counter.CountText(text, encoding);
        int maxMessageTokens = window.MessageRoom(systemTokens, summaryAllowance);
        if (maxMessageTokens - framing < 1)
        {
            // The system prompt (or a tiny conversation cap) fills the budget: whatever went out would be over it.
            Log.NoRoom(_logger, conversation, systemTokens, summaryAllowance, window.Budget);
            await SendAsync(
                sink,
                string.Create(CultureInfo.InvariantCulture, $"This conversation has no room for a message: its prompt budget of {window.Budget:N0} tokens is taken by the instructions ({systemTokens:N0}) and the summary ({summaryAllowance:N0}). /reset clears the summary; an admin can raise the budget with /settings cap, or the owner can shorten Engine:SystemPrompt."),
                ReplyKind.Error,
                conversation,
                cancellationToken);
            return;
        }

        // A message bigger than the budget is cut now; the user hears about it only once the budget lets it through.
        string? truncationNotice = null;
        if (messageTokens > maxMessageTokens)
        {
            text = Summarizer.TruncateEnd(text, maxMessageTokens - framing, encoding);
            Log.Truncated(_logger, conversation, messageTokens, maxMessageTokens);
            truncationNotice = TruncationNotice(messageTokens, maxMessageTokens);
            messageTokens = framing + _prompts.Counter.CountText(text, encoding);
        }

        var userTurn = new StoredTurn(history.NextSequence, TurnRole.User, message.QualifiedAuthorId, name, text, messageTokens, encoding, now)
        {
            SourceMessageId = message.MessageId,
        };
        ChatMessage userMessage = PromptFactory.ToMessage(userTurn);

        // Eviction is planned before the budget check, so that its summary call is reserved with the answer and never
        // paid for when the answer is then refused.
        long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
        long promptNow = fixedTokens + history.SummaryTokens + history.HistoryTokens;
        EvictionPlan? eviction = promptNow > window.HighWater ? PlanEviction(history, fixedTokens, summaryAllowance, window.LowWater) : null;

        // The largest prompt this answer can send: after the eviction, or as it is when a failed summary keeps the turns.
        long promptBound = eviction is null ? promptNow : Math.Max(eviction.PromptAfter, promptNow <= window.Budget ? promptNow : 0);
        (bool allowed, IDisposable? reservation, int maxOutput) = await ReserveAsync(
            message, eviction?.Request.WorstCase ?? MicroUsd.Zero, model.Prices, promptBound, window.ReservedOutput, sink, cancellationToken);
        if (!allowed)
        {
            return;
        }

        using (reservation)
        {
            if (truncationNotice is not null)
            {
                await SendAsync(sink, truncationNotice, ReplyKind.Notice, conversation, cancellationToken);
            }

            await sink.WorkStartedAsync(cancellationToken);
            if (eviction is not null)
            {
                await EvictAsync(history, message, eviction, window.Budget, summarise: true, cancellationToken);
            }

            long promptTokens = fixedTokens + history.SummaryTokens + history.HistoryTokens;
            if (promptTokens > window.Budget)
            {
                // Not reachable by the arithmetic above; kept so that a future change cannot send an over-budget prompt.
                Log.NoRoom(_logger, conversation, systemTokens, history.SummaryTokens, window.Budget);
                await SendAsync(sink, "Sorry, this conversation no longer fits the model. Try /reset.", ReplyKind.Error, conversation, cancellationToken);
                return;
            }

            List<ChatMessage> prompt = history.BuildPrompt(systemMessage, userMessage);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.PromptText(_logger, conversation, string.Join("\n", prompt.Select(m => $"[{m.Role}{(m.AuthorName is null ? "" : " " + m.AuthorName)}] {m.Text}")));
            }

            // A stream cut short (shutdown, dropped connection) was still billed by the provider: record our estimate.
            Func<ModelCallResult, Task> recordInterrupted = partial =>
                _recorder.RecordChatAsync(key, message.QualifiedAuthorId, model, partial, LedgerKind.Chat, CancellationToken.None);
            ModelCallResult result;
            try
            {
                result = await _caller.CallAsync(model, prompt, promptTokens, maxOutput, sink, recordInterrupted, cancellationToken);
            }
            catch (ModelCallException ex) when (ex.Kind == ModelErrorKind.ContextTooLong)
            {
                // Our count drifted from the server's (an unlisted model, a different framing): trim harder, retry once.
                Log.ContextRetry(_logger, conversation, promptTokens);
                int extra = Math.Min(window.Budget / 4, MaxDrift);
                _drift.AddOrUpdate(model.Id, extra, (_, d) => Math.Max(d, extra));
                if (PlanEviction(history, fixedTokens, summaryAllowance, window.LowWater / 2) is { } harder)
                {
                    // This summary was not part of the answer's reservation, so it is reserved on its own; when the budget
                    // cannot take it, the turns are dropped unsummarised: the prompt must shrink either way, and no call
                    // is ever made that the budget did not cover.
                    (bool affordable, IDisposable? summaryReservation) = await ReserveQuietlyAsync(message, harder.Request.WorstCase, cancellationToken);
                    using (summaryReservation)
                    {
                        await EvictAsync(history, message, harder, keepBudget: 0, summarise: affordable, cancellationToken);
                    }
                }

                // The server refused what we sent, so the retry must be clearly smaller than that, whatever we count.
                long retryBudget = Math.Min(window.Budget - extra, promptTokens * 3 / 4);
                long others = systemTokens + history.SummaryTokens + history.HistoryTokens + TokenCounter.ReplyPriming;
                if (others + messageTokens > retryBudget)
                {
                    // Nothing left to evict: the message itself has to shrink, and the user is told as on the first cut.
                    int limit = (int)Math.Max(1, retryBudget - others);
                    string shorter = Summarizer.TruncateEnd(text, Math.Max(1, limit - framing), encoding);
                    if (shorter.Length < text.Length)
                    {
                        Log.Truncated(_logger, conversation, messageTokens, limit);
                        if (truncationNotice is null)
                        {
                            truncationNotice = TruncationNotice(messageTokens, limit);
                            await SendAsync(sink, truncationNotice, ReplyKind.Notice, conversation, cancellationToken);
                        }
                    }

                    text = shorter;
                    messageTokens = framing + _prompts.Counter.CountText(text, encoding);
                    userTurn = userTurn with { Text = text, TokenCount = messageTokens };
                    userMessage = PromptFactory.ToMessage(userTurn);
                }

                promptTokens = others + messageTokens;
                prompt = history.BuildPrompt(systemMessage, userMessage);
                result = await _caller.CallAsync(model, prompt, promptTokens, maxOutput, sink, recordInterrupted, cancellationToken);
            }

            LearnDrift(model.Id, result, promptTokens);
            // The call is paid for: its ledger row and turns are written even when shutdown cancels the rest.
            LedgerEntry entry = await _recorder.RecordChatAsync(key, message.QualifiedAuthorId, model, result, LedgerKind.Chat, CancellationToken.None);
            Log.Replied(_logger, conversation, entry.InputTokens, entry.CachedInputTokens, entry.OutputTokens, entry.Cost.Value, entry.Model, entry.Estimated ? ", estimated" : "");

            var assistantTurn = new StoredTurn(
                userTurn.Sequence + 1,
                TurnRole.Assistant,
                null,
                null,
                result.Text,
                _prompts.CountTurn(TurnRole.Assistant, result.Text, null, encoding),
                encoding,
                _time.GetUtcNow());
            await _store.AppendTurnsAsync(key, [userTurn, assistantTurn], CancellationToken.None);
            history.Append(userTurn, userMessage);
            history.Append(assistantTurn, PromptFactory.ToMessage(assistantTurn));
            await DeliverAnswerAsync(message, history, result.Text, entry, sink, cancellationToken);
        }
    }

    /// <summary>
    /// The platform delivered this message again (a replayed update or event after a crash or a cut-off delivery): it
    /// was answered and paid for already, so what the user saw goes out again (a voice note's transcript, then the
    /// answer, post-processed as a fresh one) with no download, transcription, model call or charge. False when the
    /// history holds no answer to it (never answered, forgotten by <c>/reset</c>, folded into the summary, or older
    /// than <see cref="ConversationHistory.ReplayLookback"/> turns): then it is handled afresh.
    /// </summary>
    private async Task<bool> TryReplayAsync(Lane<WorkItem> lane, IncomingMessage message, IReplySink sink, CancellationToken cancellationToken)
    {
        if (message.MessageId is not { } messageId)
        {
            return false;
        }

        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        ConversationHistory history = await GetHistoryAsync(lane, model.Encoding, cancellationToken);
        if (history.ExchangeOf(messageId) is not { } exchange)
        {
            return false;
        }

        string conversation = message.Conversation.ToString();
        Log.ReplayedAnswer(_logger, conversation, messageId);
        if (message.Audio is not null)
        {
            // Only TranscribeAndAnswer stores a voice note's turn, and it sent the transcript first: so does the replay.
            string transcript = VoicePipeline.TranscriptOf(message.Text, exchange.Question.Text);
            await SendAsync(sink, VoicePipeline.TranscriptReply(TranscriptionTask.Transcribe, transcript), ReplyKind.Transcript, conversation, cancellationToken);
        }

        await DeliverAnswerAsync(message, history, exchange.Answer.Text, entry: null, sink, cancellationToken);
        return true;
    }

    /// <summary>
    /// Sends an answer as the user sees it: a notice instead of an empty answer, the cost footer when it is on (for a
    /// replayed answer, <paramref name="entry"/> is null and the footer says it cost nothing new).
    /// </summary>
    private async Task DeliverAnswerAsync(IncomingMessage message, ConversationHistory history, string answer, LedgerEntry? entry, IReplySink sink, CancellationToken cancellationToken)
    {
        string conversation = message.Conversation.ToString();
        if (string.IsNullOrWhiteSpace(answer))
        {
            await SendAsync(sink, "The model returned an empty answer.", ReplyKind.Notice, conversation, cancellationToken);
            return;
        }

        if (history.Settings.CostFooter ?? _options.CurrentValue.CostFooter)
        {
            answer += await FooterAsync(message, entry, cancellationToken);
        }

        await SendAsync(sink, answer, ReplyKind.Answer, conversation, cancellationToken);
    }

    /// <summary>
    /// Checks the budgets and reserves a call's worst case in one step. <paramref name="fixedCost"/> (a summary that must
    /// run first) and the prompt's input must fit what is left, or the call is refused and the user told; the reply
    /// limit is then lowered to what the rest pays for, never below <see cref="MinReplyTokens"/>, so a budget is
    /// overshot by at most that many output tokens' price. Admins pass without a reservation.
    /// </summary>
    private async Task<(bool Allowed, IDisposable? Reservation, int MaxOutput)> ReserveAsync(
        IncomingMessage message, MicroUsd fixedCost, ModelPrices prices, long promptTokens, int maxOutput, IReplySink sink, CancellationToken cancellationToken)
    {
        if (IsAdmin(message))
        {
            return (true, null, maxOutput);
        }

        MicroUsd atLeast = fixedCost + prices.ChatCost(promptTokens, 0, 0);
        int limit = maxOutput;
        (IDisposable? reservation, BudgetRefusal? refusal) = await _budgets.TryReserveAsync(message.QualifiedAuthorId, message.Conversation, atLeast, left =>
        {
            if (left is { } remaining && fixedCost + prices.ChatCost(promptTokens, 0, limit) > remaining)
            {
                // USD per 1M tokens is micro-USD per token.
                decimal perOutputToken = Math.Max(prices.OutputPerMTokFor(promptTokens), 0.000001m);
                long affordable = (long)((remaining - atLeast).Value / perOutputToken);
                limit = (int)Math.Clamp(affordable, Math.Min(MinReplyTokens, limit), limit);
            }

            return fixedCost + prices.ChatCost(promptTokens, 0, limit);
        }, cancellationToken);

        if (refusal is null)
        {
            return (true, reservation, limit);
        }

        string conversation = message.Conversation.ToString();
        if (refusal.Needed is { } needed)
        {
            Log.BudgetTooSmall(_logger, conversation, message.QualifiedAuthorId, refusal.Budget.Name, (refusal.Budget.Limit - refusal.Spent).Value, needed.Value);
        }
        else
        {
            Log.BudgetRefused(_logger, conversation, message.QualifiedAuthorId, refusal.Budget.Name);
        }

        await SendAsync(sink, refusal.ToUserMessage(_time.GetUtcNow()), ReplyKind.Notice, conversation, cancellationToken);
        return (false, null, 0);
    }

    /// <summary>
    /// Which of the oldest turns to fold so that the prompt drops to <paramref name="target"/>, and the summary call that
    /// folds them (prepared, not sent); null when nothing can be evicted.
    /// </summary>
    private EvictionPlan? PlanEviction(ConversationHistory history, long fixedTokens, int summaryAllowance, long target)
    {
        int count = history.PlanEviction(fixedTokens + summaryAllowance, target);
        if (count == 0)
        {
            return null;
        }

        List<StoredTurn> evicted = [.. history.Turns.Take(count).Select(t => t.Turn)];
        long evictedTokens = evicted.Sum(t => (long)t.TokenCount);
        SummaryRequest request = _summarizer.Prepare(history.Summary?.Text, evicted);
        return new EvictionPlan(
            evicted,
            evictedTokens,
            request,
            PromptBefore: fixedTokens + history.SummaryTokens + history.HistoryTokens,
            PromptAfter: fixedTokens + summaryAllowance + history.HistoryTokens - evictedTokens);
    }

    /// <summary>
    /// Reserves <paramref name="amount"/> without telling the user anything when it does not fit (admins need no
    /// reservation): for a call the answer can do without.
    /// </summary>
    private async Task<(bool Allowed, IDisposable? Reservation)> ReserveQuietlyAsync(IncomingMessage message, MicroUsd amount, CancellationToken cancellationToken)
    {
        if (IsAdmin(message))
        {
            return (true, null);
        }

        (IDisposable? reservation, BudgetRefusal? refusal) = await _budgets.TryReserveAsync(message.QualifiedAuthorId, message.Conversation, amount, _ => amount, cancellationToken);
        return (refusal is null, reservation);
    }

    /// <summary>
    /// Folds the planned turns into the summary (or, without <paramref name="summarise"/>, drops them and keeps the
    /// summary as it is). When the summary model fails, the turns stay if the prompt still fits
    /// <paramref name="keepBudget"/>, else they are dropped unsummarised.
    /// </summary>
    private async Task EvictAsync(ConversationHistory history, IncomingMessage message, EvictionPlan plan, long keepBudget, bool summarise, CancellationToken cancellationToken)
    {
        ConversationKey key = message.Conversation;
        string conversation = key.ToString();
        int count = plan.Turns.Count;
        long through = plan.Turns[^1].Sequence;
        ConversationSummary summary;
        ChatMessage? summaryMessage;
        bool folded = false;
        if (!summarise)
        {
            Log.DroppedUnsummarised(_logger, conversation, count, plan.Tokens);
            (summary, summaryMessage) = Unsummarised(history, through);
        }
        else
        {
            try
            {
                (string text, _) = await _summarizer.SummarizeAsync(key, message.QualifiedAuthorId, plan.Request, history.Encoding, cancellationToken);
                (summaryMessage, int tokens) = _prompts.Summary(text, history.Encoding);
                summary = new ConversationSummary(text, tokens, history.Encoding, through);
                folded = true;
            }
            catch (ModelCallException ex)
            {
                bool keep = plan.PromptBefore <= keepBudget;
                string action = keep ? "keeping the turns for now" : "dropping the oldest turns unsummarised so the prompt fits";
                if (ex.IsRoutine)
                {
                    Log.SummaryFailed(_logger, conversation, ex.Kind.ToString(), ex.Status, ex.ErrorCode ?? "none", action);
                }
                else
                {
                    Log.SummaryFailedUnexpectedly(_logger, conversation, ex.Kind.ToString(), ex.Status, action, ex);
                }

                if (keep)
                {
                    return;
                }

                (summary, summaryMessage) = Unsummarised(history, through);
            }
        }

        await _store.ApplySummaryAsync(key, summary, cancellationToken);
        history.RemoveOldest(count);
        history.SetSummary(summary, summary.Text.Length == 0 ? null : summaryMessage);
        if (folded)
        {
            Log.Evicted(_logger, conversation, count, plan.Tokens);
        }
    }

    /// <summary>The summary as it is, now also standing for the turns through <paramref name="through"/> (which it does not mention).</summary>
    private static (ConversationSummary Summary, ChatMessage? Message) Unsummarised(ConversationHistory history, long through) =>
        history.Summary is { } old
            ? (old with { ThroughSequence = through }, old.Text.Length == 0 ? null : history.SummaryMessage)
            : (new ConversationSummary("", 0, history.Encoding, through), null);

    private static int SummaryAllowance(ConversationHistory history, EngineOptions options) =>
        Math.Max(history.SummaryTokens, EngineOptionsValidator.SummaryAllowance(options));

    private static string TruncationNotice(int messageTokens, int limit) => string.Create(
        CultureInfo.InvariantCulture,
        $"Your message was {messageTokens:N0} tokens, more than the {limit:N0} this conversation can take. I read only its beginning.");

    private async Task<ConversationHistory> GetHistoryAsync(Lane<WorkItem> lane, string encoding, CancellationToken cancellationToken)
    {
        if (lane.State is ConversationHistory cached && cached.Encoding == encoding)
        {
            return cached;
        }

        ConversationSnapshot snapshot = await _store.LoadAsync(lane.Key, cancellationToken);
        var history = new ConversationHistory(encoding) { Settings = snapshot.Settings.WithinBounds() };
        if (snapshot.Summary is { } summary)
        {
            if (summary.Text.Length == 0)
            {
                history.SetSummary(summary with { TokenCount = 0 }, null);
            }
            else
            {
                (ChatMessage message, int tokens) = _prompts.Summary(summary.Text, encoding);
                history.SetSummary(summary with { TokenCount = tokens, Encoding = encoding }, message);
            }
        }

        foreach (StoredTurn stored in snapshot.Turns)
        {
            // Counted once when stored; recounted only when the model's encoding changed since.
            StoredTurn turn = stored.Encoding == encoding
                ? stored
                : stored with { TokenCount = _prompts.CountTurn(stored.Role, stored.Text, stored.AuthorName, encoding), Encoding = encoding };
            history.Append(turn, PromptFactory.ToMessage(turn));
        }

        lane.State = history;
        return history;
    }

    private void LearnDrift(string model, ModelCallResult result, long counted)
    {
        if (!result.UsageReported || result.InputTokens <= counted)
        {
            return;
        }

        int drift = (int)Math.Min(result.InputTokens - counted, MaxDrift);
        Log.Drift(_logger, model, result.InputTokens, counted);
        _drift.AddOrUpdate(model, drift, (_, d) => Math.Max(d, drift));
    }

    private async Task ResetAsync(Lane<WorkItem> lane, IncomingMessage message, IReplySink sink, CancellationToken cancellationToken)
    {
        await _store.ResetAsync(message.Conversation, cancellationToken);
        if (lane.State is ConversationHistory history)
        {
            history.Clear();
        }

        lane.State = null;
        await SendAsync(sink, "Done: I forgot this conversation (its messages and summary). Your usage history is kept.", ReplyKind.Command, message.Conversation.ToString(), cancellationToken);
    }

    private async Task SummaryCommandAsync(Lane<WorkItem> lane, IncomingMessage message, IReplySink sink, CancellationToken cancellationToken)
    {
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        ConversationHistory history = await GetHistoryAsync(lane, model.Encoding, cancellationToken);
        string conversation = message.Conversation.ToString();
        if (history.TurnCount == 0 && string.IsNullOrEmpty(history.Summary?.Text))
        {
            await SendAsync(sink, "There is nothing to summarise yet.", ReplyKind.Command, conversation, cancellationToken);
            return;
        }

        // The summary call is reserved like an answer: its prompt must fit what is left, its reply is shortened to the rest.
        SummaryRequest request = _summarizer.Prepare(history.Summary?.Text, history.Turns.Select(t => t.Turn));
        (bool allowed, IDisposable? reservation, int maxOutput) = await ReserveAsync(
            message, MicroUsd.Zero, request.Model.Prices, request.PromptTokens, request.MaxOutputTokens, sink, cancellationToken);
        if (!allowed)
        {
            return;
        }

        using (reservation)
        {
            await sink.WorkStartedAsync(cancellationToken);
            (string text, LedgerEntry entry) = await _summarizer.SummarizeAsync(
                message.Conversation, message.QualifiedAuthorId, request with { MaxOutputTokens = maxOutput }, history.Encoding, cancellationToken);
            string reply = string.Create(
                CultureInfo.InvariantCulture,
                $"Summary of this conversation:\n{text}\n\n(This summary cost {entry.Cost}{(entry.Estimated ? " (estimated)" : "")}: {entry.InputTokens:N0} tokens in, {entry.OutputTokens:N0} out, with {entry.Model}.)");
            await SendAsync(sink, reply, ReplyKind.Command, conversation, cancellationToken);
        }
    }

    private const string SettingsUsage =
        "Admins change settings with /settings cap <tokens> (or cap default) and /settings footer on|off|default.";

    /// <summary>
    /// <c>/settings</c> shows this conversation's effective settings to anyone; <c>/settings cap 8000</c>, <c>cap default</c>,
    /// <c>footer on|off|default</c> change them, for admins only.
    /// </summary>
    private async Task SettingsCommandAsync(Lane<WorkItem> lane, IncomingMessage message, string arguments, IReplySink sink, CancellationToken cancellationToken)
    {
        ModelInfo model = _catalogue.Resolve(_models.CurrentValue.Model);
        ConversationHistory history = await GetHistoryAsync(lane, model.Encoding, cancellationToken);
        string conversation = message.Conversation.ToString();
        // Any whitespace separates the words: a tab or a line break typed (or pasted) between them is still a space.
        string[] parts = arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            await SendAsync(sink, SettingsText(history.Settings, model), ReplyKind.Command, conversation, cancellationToken);
            return;
        }

        if (!IsAdmin(message))
        {
            await SendAsync(sink, "Sorry, only the bot's admins can change settings. /settings alone shows them.", ReplyKind.Command, conversation, cancellationToken);
            return;
        }

        (ConversationSettings? updated, string? problem) = ParseSettingsChange(history.Settings, parts);
        if (updated is { ContextTokenCap: { } cap })
        {
            problem ??= CapProblem(message, model, cap);
        }

        if (updated is null || problem is not null)
        {
            await SendAsync(sink, $"{problem ?? "I don't understand that."} {SettingsUsage}", ReplyKind.Command, conversation, cancellationToken);
            return;
        }

        await _store.SetSettingsAsync(message.Conversation, updated, cancellationToken);
        history.Settings = updated;
        Log.SettingsChanged(
            _logger,
            conversation,
            message.QualifiedAuthorId,
            updated.ContextTokenCap?.ToString(CultureInfo.InvariantCulture) ?? "default",
            updated.CostFooter is { } footer ? (footer ? "on" : "off") : "default");
        await SendAsync(sink, "Done. " + SettingsText(updated, model), ReplyKind.Command, conversation, cancellationToken);
    }

    private static (ConversationSettings? Updated, string? Problem) ParseSettingsChange(ConversationSettings current, string[] parts)
    {
        if (parts.Length != 2)
        {
            return (null, null);
        }

        string value = parts[1].ToLowerInvariant();
        switch (parts[0].ToLowerInvariant())
        {
            case "cap":
                if (value == "default")
                {
                    return (current with { ContextTokenCap = null }, null);
                }

                if (!int.TryParse(value.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out int cap)
                    || cap < EngineOptions.MinContextTokenCap || cap > EngineOptions.MaxContextTokenCap)
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"The cap must be a number of tokens from {EngineOptions.MinContextTokenCap:N0} to {EngineOptions.MaxContextTokenCap:N0}."));
                }

                return (current with { ContextTokenCap = cap }, null);
            case "footer":
                return value switch
                {
                    "on" => (current with { CostFooter = true }, null),
                    "off" => (current with { CostFooter = false }, null),
                    "default" => (current with { CostFooter = null }, null),
                    _ => (null, "The footer is on, off or default."),
                };
            default:
                return (null, null);
        }
    }

    /// <summary>Why <paramref name="cap"/> would leave no room for a message here, or null when it fits.</summary>
    private string? CapProblem(IncomingMessage message, ModelInfo model, int cap)
    {
        EngineOptions options = _options.CurrentValue;
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id), cap);
        (_, int systemTokens) = _prompts.SystemFor(message.Conversation.Platform, _time.GetUtcNow(), message.IsGroup, model.Encoding);
        int allowance = EngineOptionsValidator.SummaryAllowance(options);
        int room = window.MessageRoom(systemTokens, allowance);
        return room >= EngineOptionsValidator.MinMessageRoom
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"A cap of {cap:N0} tokens leaves {Math.Max(room, 0):N0} for a message after the instructions ({systemTokens:N0}), the summary ({allowance:N0}) and the reply ({window.ReservedOutput:N0}); at least {EngineOptionsValidator.MinMessageRoom} are needed.");
    }

    private string SettingsText(ConversationSettings settings, ModelInfo model)
    {
        EngineOptions options = _options.CurrentValue;
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id), settings.ContextTokenCap);
        int cap = settings.ContextTokenCap ?? options.ContextTokenCap;
        bool footer = settings.CostFooter ?? options.CostFooter;
        var text = new StringBuilder();
        text.AppendLine("Settings of this conversation:");
        text.AppendLine(CultureInfo.InvariantCulture, $"• Context cap: {cap:N0} tokens ({Origin(settings.ContextTokenCap is not null, options.ContextTokenCap.ToString("N0", CultureInfo.InvariantCulture))}). With {model.Id} the prompt budget is {window.Budget:N0} tokens, and each reply up to {window.ReservedOutput:N0}.");
        text.Append(CultureInfo.InvariantCulture, $"• Cost footer: {(footer ? "on" : "off")} ({Origin(settings.CostFooter is not null, options.CostFooter ? "on" : "off")}).");
        return text.ToString();

        static string Origin(bool set, string fallback) => set ? $"set for this conversation; the default is {fallback}" : "the default";
    }

    private async Task<string> UsageTextAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset day = BudgetPeriods.DayStart(now);
        DateTimeOffset month = BudgetPeriods.MonthStart(now);
        string user = message.QualifiedAuthorId;
        ConversationKey key = message.Conversation;

        var text = new StringBuilder();
        text.AppendLine("Your usage:");
        text.AppendLine(Line("today", await _ledger.SumAsync(new LedgerFilter(From: day, UserId: user), cancellationToken)));
        text.AppendLine(Line("this month", await _ledger.SumAsync(new LedgerFilter(From: month, UserId: user), cancellationToken)));
        text.AppendLine("This conversation:");
        text.AppendLine(Line("today", await _ledger.SumAsync(new LedgerFilter(From: day, Conversation: key), cancellationToken)));
        text.AppendLine(Line("this month", await _ledger.SumAsync(new LedgerFilter(From: month, Conversation: key), cancellationToken)));

        IReadOnlyList<BudgetLimit> limits = _budgets.Limits();
        if (IsAdmin(message))
        {
            text.Append("Budgets: you are an admin, budgets do not apply to you.");
        }
        else if (limits.Count == 0)
        {
            text.Append("Budgets: none set.");
        }
        else
        {
            text.AppendLine("Budgets:");
            foreach (BudgetLimit limit in limits)
            {
                MicroUsd spent = await _budgets.SpentAsync(limit, user, key, now, cancellationToken);
                MicroUsd left = limit.Limit - spent;
                if (left.Value < 0)
                {
                    left = MicroUsd.Zero;
                }

                DateTimeOffset reset = BudgetGuard.ResetOf(limit.Period, now);
                text.AppendLine(CultureInfo.InvariantCulture, $"• {Capitalize(limit.Name)} {limit.Limit}: {left} left (resets {reset:yyyy-MM-dd HH:mm} UTC)");
            }
        }

        return text.ToString().TrimEnd();

        static string Line(string period, UsageTotals t) => string.Create(
            CultureInfo.InvariantCulture,
            $"• {period}: {t.Cost}{(t.EstimatedCalls > 0 ? " (partly estimated)" : "")} — {t.Calls:N0} calls, {t.InputTokens:N0} tokens in ({t.CachedInputTokens:N0} cached), {t.OutputTokens:N0} out{(t.AudioSeconds > 0 ? $", {t.AudioSeconds:0.#} s of audio" : "")}");
    }

    private async Task<string> FooterAsync(IncomingMessage message, LedgerEntry? entry, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        UsageTotals today = await _ledger.SumAsync(new LedgerFilter(From: BudgetPeriods.DayStart(now), UserId: message.QualifiedAuthorId), cancellationToken);
        BudgetLimit? daily = _budgets.Limits().FirstOrDefault(l => l.Scope == BudgetScopeKind.User && l.Period == BudgetPeriod.Day);
        string call = entry is null
            ? "sent again, no new cost"
            : string.Create(CultureInfo.InvariantCulture, $"{entry.InputTokens:N0} in / {entry.OutputTokens:N0} out tokens · {(entry.Estimated ? "~" : "")}{entry.Cost}");
        return string.Create(CultureInfo.InvariantCulture, $"\n\n— {call} · today {today.Cost}{(daily is null ? "" : $" of {daily.Limit}")}");
    }

    private string HelpText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"I am {_options.CurrentValue.BotName}, an AI assistant ({_models.CurrentValue.Model}). Write to me and I answer; I remember this conversation.");
        text.AppendLine("Commands:");
        foreach (EngineCommand command in CommandList)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"/{command.Name} — {command.Description}");
        }

        text.AppendLine(SettingsUsage);
        return text.ToString().TrimEnd();
    }

    private bool IsAdmin(IncomingMessage message) => AccessRules.IsAdmin(_access.CurrentValue, message.QualifiedAuthorId);

    private bool IsAllowed(IncomingMessage message) => AccessRules.IsAllowed(_access.CurrentValue, message.QualifiedAuthorId, message.Conversation);

    private async Task SendAsync(IReplySink sink, string text, ReplyKind kind, string conversation, CancellationToken cancellationToken)
    {
        try
        {
            await sink.SendAsync(new OutgoingReply(text, kind), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.DeliveryFailed(_logger, conversation, ex);
        }
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
