using System.Diagnostics.Metrics;
using ChatBots.Engine.Costs;

namespace ChatBots.Engine.Processing;

/// <summary>
/// The engine's counters and histograms (meter <c>ChatBots</c>): messages, tokens, cost, model latency and errors by
/// kind, tagged by platform and model. Exported with OpenTelemetry when the host configures it.
/// </summary>
public sealed class EngineMetrics
{
    public const string MeterName = "ChatBots";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _cost;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _latency;

    public EngineMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>("chatbots.messages", "{message}", "Messages handled, by platform and outcome");
        _tokens = meter.CreateCounter<long>("chatbots.tokens", "{token}", "Tokens billed, by model, kind and direction");
        _cost = meter.CreateCounter<long>("chatbots.cost", "µUSD", "Cost of model calls in micro-dollars, by model and kind");
        _errors = meter.CreateCounter<long>("chatbots.errors", "{error}", "Failures, by kind");
        _latency = meter.CreateHistogram<double>("chatbots.model.latency", "s", "Duration of model calls");
    }

    public void Message(string platform, string outcome) =>
        _messages.Add(1, new("platform", platform), new("outcome", outcome));

    public void Billed(LedgerEntry entry)
    {
        string model = entry.Model;
        string kind = entry.Kind.ToString().ToLowerInvariant();
        _tokens.Add(entry.InputTokens - entry.CachedInputTokens, new("model", model), new("kind", kind), new("direction", "input"));
        _tokens.Add(entry.CachedInputTokens, new("model", model), new("kind", kind), new("direction", "cached_input"));
        _tokens.Add(entry.OutputTokens, new("model", model), new("kind", kind), new("direction", "output"));
        _cost.Add(entry.Cost.Value, new("model", model), new("kind", kind));
    }

    public void Error(string kind) => _errors.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void ModelLatency(TimeSpan elapsed, string model) => _latency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model));
}
