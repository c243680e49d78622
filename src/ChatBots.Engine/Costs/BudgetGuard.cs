using ChatBots.Engine.Conversations;
using ChatBots.Engine.Options;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine.Costs;

/// <summary>
/// Checks budgets before a call and keeps in-flight worst cases reserved until they settle, so concurrent calls
/// cannot overshoot together. Spending comes from the durable ledger; reservations live in memory.
/// </summary>
public sealed class BudgetGuard
{
    private readonly ILedgerStore _ledger;
    private readonly IOptionsMonitor<BudgetOptions> _budgets;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Reservation> _reserved = [];

    // Check-then-reserve must be one step, or two lanes of one user (or any two under the global cap) could both
    // pass on the last dollar.
    private readonly SemaphoreSlim _reserveGate = new(1, 1);

    public BudgetGuard(ILedgerStore ledger, IOptionsMonitor<BudgetOptions> budgets, TimeProvider time)
    {
        _ledger = ledger;
        _budgets = budgets;
        _time = time;
    }

    /// <summary>The limits in force, most specific first.</summary>
    public IReadOnlyList<BudgetLimit> Limits()
    {
        BudgetOptions o = _budgets.CurrentValue;
        var limits = new List<BudgetLimit>(5);
        Add(limits, "your daily budget", BudgetScopeKind.User, BudgetPeriod.Day, o.UserDailyUsd);
        Add(limits, "your monthly budget", BudgetScopeKind.User, BudgetPeriod.Month, o.UserMonthlyUsd);
        Add(limits, "this conversation's daily budget", BudgetScopeKind.Conversation, BudgetPeriod.Day, o.ConversationDailyUsd);
        Add(limits, "this conversation's monthly budget", BudgetScopeKind.Conversation, BudgetPeriod.Month, o.ConversationMonthlyUsd);
        Add(limits, "the bot's monthly budget", BudgetScopeKind.Global, BudgetPeriod.Month, o.GlobalMonthlyUsd);
        return limits;
    }

    /// <summary>
    /// The smallest amount any budget still allows this user in this conversation (null when no budget is set),
    /// counting in-flight reservations.
    /// </summary>
    public async Task<(MicroUsd? Remaining, BudgetRefusal? Exhausted)> RemainingAsync(string userId, ConversationKey conversation, CancellationToken cancellationToken)
    {
        Tightest? tightest = await TightestAsync(userId, conversation, cancellationToken);
        return tightest switch
        {
            null => (null, null),
            { Left.Value: <= 0 } t => (MicroUsd.Zero, new BudgetRefusal(t.Limit, t.Spent, ResetOf(t.Limit.Period, t.Now))),
            { } t => (t.Left, null),
        };
    }

    /// <summary>Spent in the limit's current period by its scope, settled plus reserved.</summary>
    public async Task<MicroUsd> SpentAsync(BudgetLimit limit, string userId, ConversationKey conversation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset from = limit.Period == BudgetPeriod.Day ? BudgetPeriods.DayStart(now) : BudgetPeriods.MonthStart(now);
        LedgerFilter filter = limit.Scope switch
        {
            BudgetScopeKind.User => new LedgerFilter(From: from, UserId: userId),
            BudgetScopeKind.Conversation => new LedgerFilter(From: from, Conversation: conversation),
            _ => new LedgerFilter(From: from),
        };
        UsageTotals totals = await _ledger.SumAsync(filter, cancellationToken);
        return totals.Cost + Reserved(limit.Scope, userId, conversation);
    }

    /// <summary>
    /// Atomically: refuses when a budget is used up; otherwise reserves <paramref name="amountFor"/>(what is left, or null
    /// without budgets) until the returned reservation is disposed.
    /// </summary>
    public Task<(IDisposable? Reservation, BudgetRefusal? Refusal)> TryReserveAsync(
        string userId,
        ConversationKey conversation,
        Func<MicroUsd?, MicroUsd> amountFor,
        CancellationToken cancellationToken) =>
        TryReserveAsync(userId, conversation, MicroUsd.Zero, amountFor, cancellationToken);

    /// <summary>
    /// Atomically: refuses when a budget is used up or has less than <paramref name="atLeast"/> left (the part of the
    /// call that cannot be shortened, such as its prompt); otherwise reserves <paramref name="amountFor"/>(what is left,
    /// or null without budgets) until the returned reservation is disposed.
    /// </summary>
    public async Task<(IDisposable? Reservation, BudgetRefusal? Refusal)> TryReserveAsync(
        string userId,
        ConversationKey conversation,
        MicroUsd atLeast,
        Func<MicroUsd?, MicroUsd> amountFor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(amountFor);
        await _reserveGate.WaitAsync(cancellationToken);
        try
        {
            Tightest? tightest = await TightestAsync(userId, conversation, cancellationToken);
            if (tightest is { } t && (t.Left.Value <= 0 || t.Left < atLeast))
            {
                var refusal = new BudgetRefusal(t.Limit, t.Spent, ResetOf(t.Limit.Period, t.Now));
                return (null, t.Left.Value <= 0 ? refusal : refusal with { Needed = atLeast });
            }

            return (Reserve(userId, conversation, amountFor(tightest?.Left)), null);
        }
        finally
        {
            _reserveGate.Release();
        }
    }

    /// <summary>Holds <paramref name="worstCase"/> against every budget until the returned reservation is disposed.</summary>
    public IDisposable Reserve(string userId, ConversationKey conversation, MicroUsd worstCase)
    {
        var reservation = new Reservation(this, userId, conversation, worstCase);
        lock (_gate)
        {
            _reserved.Add(reservation);
        }

        return reservation;
    }

    public static DateTimeOffset ResetOf(BudgetPeriod period, DateTimeOffset now) =>
        period == BudgetPeriod.Day ? BudgetPeriods.NextDay(now) : BudgetPeriods.NextMonth(now);

    /// <summary>The budget with the least left (null when none is set); ties go to the most specific, listed first.</summary>
    private async Task<Tightest?> TightestAsync(string userId, ConversationKey conversation, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Tightest? tightest = null;
        foreach (BudgetLimit limit in Limits())
        {
            MicroUsd spent = await SpentAsync(limit, userId, conversation, now, cancellationToken);
            MicroUsd left = limit.Limit - spent;
            if (tightest is null || left < tightest.Left)
            {
                tightest = new Tightest(limit, spent, left, now);
            }

            if (left.Value <= 0)
            {
                break;
            }
        }

        return tightest;
    }

    private MicroUsd Reserved(BudgetScopeKind scope, string userId, ConversationKey conversation)
    {
        long sum = 0;
        lock (_gate)
        {
            foreach (Reservation r in _reserved)
            {
                bool applies = scope switch
                {
                    BudgetScopeKind.User => r.UserId == userId,
                    BudgetScopeKind.Conversation => r.Conversation == conversation,
                    _ => true,
                };
                if (applies)
                {
                    sum += r.Amount.Value;
                }
            }
        }

        return new MicroUsd(sum);
    }

    private static void Add(List<BudgetLimit> limits, string name, BudgetScopeKind scope, BudgetPeriod period, decimal? usd)
    {
        if (usd is { } dollars)
        {
            limits.Add(new BudgetLimit(name, scope, period, MicroUsd.FromDollars(dollars)));
        }
    }

    private sealed record Tightest(BudgetLimit Limit, MicroUsd Spent, MicroUsd Left, DateTimeOffset Now);

    private sealed class Reservation(BudgetGuard owner, string userId, ConversationKey conversation, MicroUsd amount) : IDisposable
    {
        public string UserId { get; } = userId;

        public ConversationKey Conversation { get; } = conversation;

        public MicroUsd Amount { get; } = amount;

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._reserved.Remove(this);
            }
        }
    }
}
