using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;

namespace ChatBots.Engine.Processing;

/// <summary>Prices a call with the catalogue and writes it to the ledger. Only the engine knows who pays.</summary>
public sealed class LedgerRecorder
{
    private readonly ILedgerStore _ledger;
    private readonly TimeProvider _time;
    private readonly EngineMetrics _metrics;

    public LedgerRecorder(ILedgerStore ledger, TimeProvider time, EngineMetrics metrics)
    {
        _ledger = ledger;
        _time = time;
        _metrics = metrics;
    }

    public async Task<LedgerEntry> RecordChatAsync(ConversationKey conversation, string userId, ModelInfo asked, ModelCallResult result, LedgerKind kind, CancellationToken cancellationToken)
    {
        // Priced by the model we asked for, always: the budget reserved at its prices, servers report dated snapshots
        // (gpt-4o-mini-2024-07-18) of the same price, and a compatible server may report any name at all (llama3:latest
        // for an unlisted id, or a listed id it merely imitates). The reported id is kept in the row for the record.
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(result);
        MicroUsd cost = asked.Prices.ChatCost(result.InputTokens, result.CachedInputTokens, result.OutputTokens);
        var entry = new LedgerEntry(
            _time.GetUtcNow(),
            conversation,
            userId,
            result.Model,
            kind,
            result.InputTokens,
            result.CachedInputTokens,
            result.OutputTokens,
            0m,
            cost,
            Estimated: !result.UsageReported || !asked.IsListed || asked.PricesEstimated,
            asked.Prices.AsOf);
        await _ledger.AppendAsync(entry, cancellationToken);
        _metrics.Billed(entry);
        return entry;
    }

    /// <summary>
    /// A transcription, priced like a chat call by the model that was asked for (<paramref name="asked"/>), whatever
    /// <paramref name="reportedModel"/> the server named (kept in the row; empty when it named none).
    /// </summary>
    public async Task<LedgerEntry> RecordTranscriptionAsync(
        ConversationKey conversation, string userId, ModelInfo asked, string reportedModel, decimal seconds, bool durationEstimated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var entry = new LedgerEntry(
            _time.GetUtcNow(),
            conversation,
            userId,
            string.IsNullOrWhiteSpace(reportedModel) ? asked.Id : reportedModel,
            LedgerKind.Transcription,
            0,
            0,
            0,
            seconds,
            asked.Prices.AudioCost(seconds),
            Estimated: durationEstimated || !asked.IsListed || asked.PricesEstimated,
            asked.Prices.AsOf);
        await _ledger.AppendAsync(entry, cancellationToken);
        _metrics.Billed(entry);
        return entry;
    }
}
