using System.Globalization;
using System.Text;
using ChatBots.Engine.Models;

namespace ChatBots.Benchmarks.Simulation;

/// <summary>
/// <c>simulate --floor</c>: the unavoidable cost of keeping the last N exchanges verbatim in every prompt, whatever the
/// policy, billed by the same rules as the simulator (<see cref="BillingMeter"/>), beside baseline (b) and ChatBots.
/// <para>
/// Prompt i must hold the system prompt, the last min(N, i) exchanges and question i. Question i and answer i − 1 were
/// never in an earlier request, so they are billed uncached; nothing after them can be cached either. The rest can at
/// best be cached, and only as a shared prefix of at least 1,024 tokens rounded down to 128-token steps. A policy may
/// add anything else (a summary, more history, padding), but every added token costs at least the cached price, so per
/// prompt the cheapest reusable part is the cheaper of: sent uncached, or padded up to the next cacheable length and
/// cached. That cannot be undercut, so the sum over prompts is a floor. It is optimistic: it assumes each prompt's
/// reusable part was the prefix of a recent request, which a sliding window of exactly N exchanges never achieves.
/// </para>
/// </summary>
internal static class FloorAnalysis
{
    public static readonly int[] DefaultExchanges = [8, 4];

    public static CostFloor Compute(SimScript script, ModelInfo model, string system, int exchanges)
    {
        var meter = new BillingMeter(model);
        ModelPrices p = model.Prices;
        int priming = meter.Render([]).Length;
        int Framed(SimMessage m) => meter.Render([m]).Length - priming;

        int systemTokens = Framed(new SimMessage("system", null, system));
        int[] questions = [.. script.Turns.Select(t => Framed(CostSimulator.UserMessage(script, t)))];
        int[] answers = [.. script.Turns.Select(t => Framed(new SimMessage("assistant", null, t.Answer)))];

        decimal output = script.Turns.Sum(t => (decimal)meter.CountText(t.Answer)) * p.OutputPerMTok;
        decimal firstSend = 0, keptCached = 0, steps = 0, unpaddedSteps = 0;
        long required = 0;
        int belowMinimum = 0;
        for (int i = 0; i < script.Turns.Count; i++)
        {
            int kept = Math.Min(exchanges, i);
            long keptTokens = 0;
            for (int j = i - kept; j < i; j++)
            {
                keptTokens += questions[j] + answers[j];
            }

            long total = systemTokens + keptTokens + questions[i] + priming;
            long fresh = i == 0 ? total : questions[i] + priming + (kept > 0 ? answers[i - 1] : 0);
            long reusable = total - fresh;
            required += total;
            firstSend += fresh * p.InputPerMTok;
            keptCached += reusable * p.CachedInputPerMTok;
            if (reusable == 0)
            {
                continue;
            }

            decimal unpadded = Reusable(reusable, p);
            decimal padded = reusable < BillingMeter.MinCachedPrefix
                ? BillingMeter.MinCachedPrefix * p.CachedInputPerMTok
                : (reusable + BillingMeter.CacheStep - 1) / BillingMeter.CacheStep * BillingMeter.CacheStep * p.CachedInputPerMTok;
            steps += Math.Min(unpadded, padded) - (reusable * p.CachedInputPerMTok);
            unpaddedSteps += unpadded - (reusable * p.CachedInputPerMTok);
            belowMinimum += reusable < BillingMeter.MinCachedPrefix ? 1 : 0;
        }

        return new CostFloor(exchanges, (double)required / script.Turns.Count, belowMinimum, output, firstSend, keptCached, steps, unpaddedSteps);

        // A reusable part sent as is: cached in 128-token steps once it reaches the minimum, the remainder uncached.
        static decimal Reusable(long tokens, ModelPrices p)
        {
            long cached = tokens >= BillingMeter.MinCachedPrefix ? tokens / BillingMeter.CacheStep * BillingMeter.CacheStep : 0;
            return (cached * p.CachedInputPerMTok) + ((tokens - cached) * p.InputPerMTok);
        }
    }

    /// <summary>
    /// The best schedule for a policy whose prompt i is the system prompt, exchanges s_i … i − 1 and question i, with
    /// s_i never decreasing, i − s_i ≥ min(N, i) and the prompt within <paramref name="budget"/>: ChatBots' own kind
    /// of window without the summary, and baseline (a) with the best possible drops. Found exactly by dynamic
    /// programming over every s_i. Keeping the same start extends the previous prompt, so all of it but the priming is
    /// a cached prefix (in 128-token steps from 1,024); moving the start shares only the system prompt.
    /// </summary>
    public static WindowOptimum BestWindow(SimScript script, ModelInfo model, string system, int exchanges, long budget)
    {
        var meter = new BillingMeter(model);
        ModelPrices p = model.Prices;
        int priming = meter.Render([]).Length;
        int Framed(SimMessage m) => meter.Render([m]).Length - priming;
        int n = script.Turns.Count;
        int systemTokens = Framed(new SimMessage("system", null, system));
        int[] questions = [.. script.Turns.Select(t => Framed(CostSimulator.UserMessage(script, t)))];
        // prefix[k] = tokens of exchanges 0 … k − 1, so a window s … i − 1 is prefix[i] − prefix[s].
        long[] prefix = new long[n + 1];
        for (int k = 0; k < n; k++)
        {
            prefix[k + 1] = prefix[k] + questions[k] + Framed(new SimMessage("assistant", null, script.Turns[k].Answer));
        }

        decimal output = script.Turns.Sum(t => (decimal)meter.CountText(t.Answer)) * p.OutputPerMTok;
        long Length(int i, int s) => systemTokens + prefix[i] - prefix[s] + questions[i] + priming;
        decimal Input(long tokens, long shared)
        {
            long cached = shared >= BillingMeter.MinCachedPrefix ? shared / BillingMeter.CacheStep * BillingMeter.CacheStep : 0;
            return (cached * p.CachedInputPerMTok) + ((tokens - cached) * p.InputPerMTok);
        }

        // cost[s] and drops[s]: cheapest replay of prompts 0 … i with prompt i starting at exchange s.
        decimal[] cost = new decimal[n];
        int[] drops = new int[n];
        long[] tokens = new long[n];
        bool[] valid = new bool[n];
        cost[0] = Input(Length(0, 0), 0);
        tokens[0] = Length(0, 0);
        valid[0] = tokens[0] <= budget;
        for (int i = 1; i < n; i++)
        {
            var next = new decimal[n];
            var nextDrops = new int[n];
            var nextTokens = new long[n];
            var nextValid = new bool[n];
            int latestStart = i - Math.Min(exchanges, i);
            decimal bestBefore = decimal.MaxValue;
            int bestBeforeDrops = 0;
            long bestBeforeTokens = 0;
            for (int s = 0; s <= latestStart; s++)
            {
                long length = Length(i, s);
                if (length <= budget)
                {
                    decimal keep = valid[s] ? cost[s] + Input(length, Length(i - 1, s) - priming) : decimal.MaxValue;
                    decimal move = bestBefore == decimal.MaxValue ? decimal.MaxValue : bestBefore + Input(length, systemTokens);
                    if (keep <= move && keep != decimal.MaxValue)
                    {
                        (next[s], nextDrops[s], nextTokens[s], nextValid[s]) = (keep, drops[s], tokens[s] + length, true);
                    }
                    else if (move != decimal.MaxValue)
                    {
                        (next[s], nextDrops[s], nextTokens[s], nextValid[s]) = (move, bestBeforeDrops + 1, bestBeforeTokens + length, true);
                    }
                }

                if (s < i && valid[s] && cost[s] < bestBefore)
                {
                    (bestBefore, bestBeforeDrops, bestBeforeTokens) = (cost[s], drops[s], tokens[s]);
                }
            }

            (cost, drops, tokens, valid) = (next, nextDrops, nextTokens, nextValid);
        }

        int best = Enumerable.Range(0, n).Where(s => valid[s]).MinBy(s => cost[s]);
        return new WindowOptimum(exchanges, cost[best] + output, drops[best], (double)tokens[best] / n);
    }

    /// <summary>
    /// The floor for each N split by cause, then beside the best window schedule, baseline (b) and ChatBots of the same
    /// run, as two Markdown tables.
    /// </summary>
    public static string Table(IReadOnlyList<CostFloor> floors, IReadOnlyList<WindowOptimum> optima, PolicyResult chatBots, PolicyResult summarizeAll)
    {
        decimal b = summarizeAll.CostMicroUsd;
        decimal target = 0.7m * b;
        var text = new StringBuilder();
        text.AppendLine("| keep last N exchanges | smallest prompt (mean tokens) | prompts with < 1,024 reusable tokens | answers (output) | questions and answers sent once, uncached | rest of the smallest prompt at the cached price | 1,024 minimum and 128-token steps | **floor** | floor if nothing is padded |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (CostFloor f in floors)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Exchanges} | {f.MeanRequiredPromptTokens:N0} | {f.PromptsBelowCacheMinimum} | {Usd(f.OutputMicroUsd)} | {Usd(f.FirstSendMicroUsd)} | {Usd(f.KeptCachedMicroUsd)} | {Usd(f.CacheStepsMicroUsd)} | **{Usd(f.TotalMicroUsd)}** | {Usd(f.UnpaddedTotalMicroUsd)} |");
        }

        text.AppendLine();
        text.AppendLine("| keep last N exchanges | 0.7 × (b) | floor | floor ÷ (b) | best window schedule | its drops | its mean prompt | best schedule ÷ (b) | ChatBots (same run) | ChatBots ÷ (b) |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int k = 0; k < floors.Count; k++)
        {
            CostFloor f = floors[k];
            WindowOptimum o = optima[k];
            // Shown only where ChatBots kept at least N exchanges, so the floor bounds it.
            bool qualifies = chatBots.FewestKept is not { } fewest || fewest >= f.Exchanges;
            string chat = qualifies ? $"{Usd(chatBots.CostMicroUsd)} | {chatBots.CostMicroUsd / b:0.00}" : "– (kept fewer) | –";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Exchanges} | {Usd(target)} | {Usd(f.TotalMicroUsd)} | {f.TotalMicroUsd / b:0.00} | {Usd(o.CostMicroUsd)} | {o.Drops} | {o.MeanPromptTokens:N0} | {o.CostMicroUsd / b:0.00} | {chat} |");
        }

        text.Append(CultureInfo.InvariantCulture, $"(b) = {Usd(b)} ({Usd(summarizeAll.OutputCostMicroUsd)} of it output, summaries included); ChatBots kept at least {chatBots.FewestKeptText} exchanges. The floor is a lower bound for any policy; the best window schedule is the cheapest policy that sends verbatim history without a summary.");
        return text.ToString();
    }

    private static string Usd(decimal microUsd) => string.Create(CultureInfo.InvariantCulture, $"${microUsd / 1_000_000m:0.0000}");
}
