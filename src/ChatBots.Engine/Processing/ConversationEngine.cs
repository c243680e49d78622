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
        _lanes = new ConversationLanes<WorkItem>(o.LaneCapacity, o.MaxConcurrentConversations, o.IdleLaneTimeout, time, HandleAsync, logger);
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

            (CommandKind command, string name) = CommandParser.Parse(message.Text);
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
                case CommandKind.Unknown:
                    await SendAsync(sink, $"I don't know the command /{name}. Try /help.", ReplyKind.Command, conversation, cancellationToken);
                    return;
            }

            if (message.Audio is { } audio)
            {
                VoiceOutcome voiceOutcome = await _voice.HandleAsync(message, audio, sink, cancellationToken);
                if (voiceOutcome.TextToAnswer is { } transcript)
                {
                    // A caption and the speech are one user turn.
                    string spoken = string.IsNullOrWhiteSpace(message.Text) ? transcript : message.Text.Trim() + "\n\n" + transcript;
                    await AnswerAsync(lane, message, spoken, sink, cancellationToken);
                }

                return;
            }

            if (string.IsNullOrWhiteSpace(message.Text))
            {
                return;
            }

            await AnswerAsync(lane, message, message.Text, sink, cancellationToken);
        }
        catch (ModelCallException ex)
        {
            outcome = "model_error";
            _metrics.Error(ex.Kind.ToString());
            Log.ModelFailed(_logger, conversation, ex.Kind.ToString(), ex.Status, ex);
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

        // The platform delivered this message again (a replayed update or event after a crash or a cut-off delivery):
        // it was answered and paid for already, so the stored answer goes out again without another model call.
        if (message.MessageId is { } messageId && history.AnswerTo(messageId) is { } answered)
        {
            Log.ReplayedAnswer(_logger, conversation, messageId);
            await SendAsync(sink, answered.Text, ReplyKind.Answer, conversation, cancellationToken);
            return;
        }

        (ChatMessage systemMessage, int systemTokens) = _prompts.SystemFor(key.Platform, now, message.IsGroup, encoding);
        WindowBudget window = WindowBudget.For(model, options, _drift.GetValueOrDefault(model.Id));
        int summaryAllowance = Math.Max(history.SummaryTokens, options.SummaryMaxTokens + 24);

        string? name = message.IsGroup ? PromptFactory.SanitizeName(message.AuthorName, message.AuthorId) : null;
        int messageTokens = _prompts.CountTurn(TurnRole.User, text, name, encoding);
        int maxMessageTokens = window.Budget - systemTokens - summaryAllowance - TokenCounter.ReplyPriming;
        if (messageTokens > maxMessageTokens)
        {
            int framing = messageTokens - _prompts.Counter.CountText(text, encoding);
            text = Summarizer.TruncateEnd(text, Math.Max(1, maxMessageTokens - framing), encoding);
            Log.Truncated(_logger, conversation, messageTokens, maxMessageTokens);
            await SendAsync(
                sink,
                string.Create(CultureInfo.InvariantCulture, $"Your message was {messageTokens:N0} tokens, more than the {maxMessageTokens:N0} this conversation can take. I read only its beginning."),
                ReplyKind.Notice,
                conversation,
                cancellationToken);
            messageTokens = _prompts.CountTurn(TurnRole.User, text, name, encoding);
        }

        // A used-up budget is refused before anything is spent, a summary included.
        bool admin = IsAdmin(message);
        if (!admin)
        {
            (_, BudgetRefusal? exhausted) = await _budgets.RemainingAsync(message.QualifiedAuthorId, key, cancellationToken);
            if (exhausted is not null)
            {
                Log.BudgetRefused(_logger, conversation, message.QualifiedAuthorId, exhausted.Budget.Name);
                await SendAsync(sink, exhausted.ToUserMessage(now), ReplyKind.Notice, conversation, cancellationToken);
                return;
            }
        }

        var userTurn = new StoredTurn(history.NextSequence, TurnRole.User, message.QualifiedAuthorId, name, text, messageTokens, encoding, now)
        {
            SourceMessageId = message.MessageId,
        };
        ChatMessage userMessage = PromptFactory.ToMessage(userTurn);

        long fixedTokens = systemTokens + messageTokens + TokenCounter.ReplyPriming;
        if (fixedTokens + history.SummaryTokens + history.HistoryTokens > window.HighWater)
        {
            await EvictAsync(history, message, fixedTokens + summaryAllowance, window.LowWater, window.Budget, cancellationToken);
        }

        // Reserve the worst case; when it does not fit what is left, shorten the reply to what the rest pays for.
        int maxOutput = window.ReservedOutput;
        long promptTokens = fixedTokens + history.SummaryTokens + history.HistoryTokens;
        IDisposable? reservation = null;
        if (!admin)
        {
            (reservation, BudgetRefusal? refusal) = await _budgets.TryReserveAsync(message.QualifiedAuthorId, key, left =>
            {
                MicroUsd worst = model.Prices.ChatCost(promptTokens, 0, maxOutput);
                if (left is { } remaining && worst > remaining)
                {
                    MicroUsd input = model.Prices.ChatCost(promptTokens, 0, 0);
                    decimal perOutputToken = Math.Max(model.Prices.OutputPerMTok, 0.000001m);
                    long affordable = (long)((remaining.Value - input.Value) / perOutputToken);
                    maxOutput = (int)Math.Clamp(affordable, Math.Min(MinReplyTokens, maxOutput), maxOutput);
                    worst = model.Prices.ChatCost(promptTokens, 0, maxOutput);
                }

                return worst;
            }, cancellationToken);
            if (refusal is not null)
            {
                Log.BudgetRefused(_logger, conversation, message.QualifiedAuthorId, refusal.Budget.Name);
                await SendAsync(sink, refusal.ToUserMessage(now), ReplyKind.Notice, conversation, cancellationToken);
                return;
            }
        }

        using (reservation)
        {
            await sink.WorkStartedAsync(cancellationToken);
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
                await EvictAsync(history, message, fixedTokens + summaryAllowance, window.LowWater / 2, 0, cancellationToken);
                // The server refused what we sent, so the retry must be clearly smaller than that, whatever we count.
                long retryBudget = Math.Min(window.Budget - extra, promptTokens * 3 / 4);
                long others = systemTokens + history.SummaryTokens + history.HistoryTokens + TokenCounter.ReplyPriming;
                if (others + messageTokens > retryBudget)
                {
                    // Nothing left to evict: the message itself has to shrink.
                    int framing = messageTokens - _prompts.Counter.CountText(text, encoding);
                    text = Summarizer.TruncateEnd(text, (int)Math.Max(1, retryBudget - others - framing), encoding);
                    messageTokens = _prompts.CountTurn(TurnRole.User, text, name, encoding);
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
            Log.Replied(_logger, conversation, entry.InputTokens, entry.CachedInputTokens, entry.OutputTokens, entry.Cost.ToString(), entry.Model, entry.Estimated ? ", estimated" : "");

            string answer = result.Text;
            var assistantTurn = new StoredTurn(
                userTurn.Sequence + 1,
                TurnRole.Assistant,
                null,
                null,
                answer,
                _prompts.CountTurn(TurnRole.Assistant, answer, null, encoding),
                encoding,
                _time.GetUtcNow());
            await _store.AppendTurnsAsync(key, [userTurn, assistantTurn], CancellationToken.None);
            history.Append(userTurn, userMessage);
            history.Append(assistantTurn, PromptFactory.ToMessage(assistantTurn));

            if (string.IsNullOrWhiteSpace(answer))
            {
                await SendAsync(sink, "The model returned an empty answer.", ReplyKind.Notice, conversation, cancellationToken);
                return;
            }

            if (options.CostFooter)
            {
                answer += await FooterAsync(message, entry, cancellationToken);
            }

            await SendAsync(sink, answer, ReplyKind.Answer, conversation, cancellationToken);
        }
    }

    /// <summary>
    /// Folds the oldest turns into the summary so that the prompt drops to <paramref name="target"/>. When the summary
    /// model fails, the turns stay if the prompt still fits <paramref name="budget"/>, else they are dropped unsummarised.
    /// </summary>
    private async Task EvictAsync(ConversationHistory history, IncomingMessage message, long fixedTokens, long target, long budget, CancellationToken cancellationToken)
    {
        int count = history.PlanEviction(fixedTokens, target);
        if (count == 0)
        {
            return;
        }

        ConversationKey key = message.Conversation;
        string conversation = key.ToString();
        List<StoredTurn> evicted = [.. history.Turns.Take(count).Select(t => t.Turn)];
        long evictedTokens = evicted.Sum(t => (long)t.TokenCount);
        long through = evicted[^1].Sequence;
        ConversationSummary summary;
        ChatMessage? summaryMessage;
        try
        {
            (string text, _) = await _summarizer.SummarizeAsync(key, message.QualifiedAuthorId, history.Summary?.Text, evicted, history.Encoding, cancellationToken);
            (summaryMessage, int tokens) = _prompts.Summary(text, history.Encoding);
            summary = new ConversationSummary(text, tokens, history.Encoding, through);
        }
        catch (ModelCallException ex)
        {
            if (fixedTokens - (long)Math.Max(0, _options.CurrentValue.SummaryMaxTokens + 24 - history.SummaryTokens) + history.HistoryTokens <= budget)
            {
                Log.SummaryFailed(_logger, conversation, ex.Kind.ToString(), "keeping the turns for now", ex);
                return;
            }

            Log.SummaryFailed(_logger, conversation, ex.Kind.ToString(), "dropping the oldest turns unsummarised so the prompt fits", ex);
            summary = history.Summary is { } old
                ? old with { ThroughSequence = through }
                : new ConversationSummary("", 0, history.Encoding, through);
            summaryMessage = history.SummaryMessage;
        }

        await _store.ApplySummaryAsync(key, summary, cancellationToken);
        history.RemoveOldest(count);
        history.SetSummary(summary, summary.Text.Length == 0 ? null : summaryMessage);
        Log.Evicted(_logger, conversation, count, evictedTokens);
    }

    private async Task<ConversationHistory> GetHistoryAsync(Lane<WorkItem> lane, string encoding, CancellationToken cancellationToken)
    {
        if (lane.State is ConversationHistory cached && cached.Encoding == encoding)
        {
            return cached;
        }

        ConversationSnapshot snapshot = await _store.LoadAsync(lane.Key, cancellationToken);
        var history = new ConversationHistory(encoding);
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

        if (!IsAdmin(message))
        {
            (_, BudgetRefusal? refusal) = await _budgets.RemainingAsync(message.QualifiedAuthorId, message.Conversation, cancellationToken);
            if (refusal is not null)
            {
                await SendAsync(sink, refusal.ToUserMessage(_time.GetUtcNow()), ReplyKind.Notice, conversation, cancellationToken);
                return;
            }
        }

        await sink.WorkStartedAsync(cancellationToken);
        (string text, LedgerEntry entry) = await _summarizer.SummarizeAsync(
            message.Conversation, message.QualifiedAuthorId, history.Summary?.Text, history.Turns.Select(t => t.Turn), history.Encoding, cancellationToken);
        string reply = string.Create(
            CultureInfo.InvariantCulture,
            $"Summary of this conversation:\n{text}\n\n(This summary cost {entry.Cost}{(entry.Estimated ? " (estimated)" : "")}: {entry.InputTokens:N0} tokens in, {entry.OutputTokens:N0} out, with {entry.Model}.)");
        await SendAsync(sink, reply, ReplyKind.Command, conversation, cancellationToken);
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

    private async Task<string> FooterAsync(IncomingMessage message, LedgerEntry entry, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        UsageTotals today = await _ledger.SumAsync(new LedgerFilter(From: BudgetPeriods.DayStart(now), UserId: message.QualifiedAuthorId), cancellationToken);
        BudgetLimit? daily = _budgets.Limits().FirstOrDefault(l => l.Scope == BudgetScopeKind.User && l.Period == BudgetPeriod.Day);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"\n\n— {entry.InputTokens:N0} in / {entry.OutputTokens:N0} out tokens · {(entry.Estimated ? "~" : "")}{entry.Cost} · today {today.Cost}{(daily is null ? "" : $" of {daily.Limit}")}");
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

        return text.ToString().TrimEnd();
    }

    private bool IsAdmin(IncomingMessage message) =>
        _access.CurrentValue.Admins.Contains(message.QualifiedAuthorId, StringComparer.OrdinalIgnoreCase);

    private bool IsAllowed(IncomingMessage message)
    {
        AccessOptions access = _access.CurrentValue;
        if (IsAdmin(message))
        {
            return true;
        }

        bool userOk = access.AllowedUsers.Count == 0 || access.AllowedUsers.Contains(message.QualifiedAuthorId, StringComparer.OrdinalIgnoreCase);
        ConversationKey key = message.Conversation;
        bool conversationOk = access.AllowedConversations.Count == 0
            || access.AllowedConversations.Contains(key.ToString(), StringComparer.OrdinalIgnoreCase)
            || access.AllowedConversations.Contains((key with { ThreadId = null }).ToString(), StringComparer.OrdinalIgnoreCase);
        return userOk && conversationOk;
    }

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
