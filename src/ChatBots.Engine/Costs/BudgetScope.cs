using System.Globalization;

namespace ChatBots.Engine.Costs;

/// <summary>A configured limit: who it covers, over which period, and how much.</summary>
public sealed record BudgetLimit(string Name, BudgetScopeKind Scope, BudgetPeriod Period, MicroUsd Limit);

public enum BudgetScopeKind
{
    User,
    Conversation,
    Global,
}

public enum BudgetPeriod
{
    Day,
    Month,
}

/// <summary>Why a call was refused: which budget, what was spent, when it resets, and (when it was not used up) what the call needed.</summary>
public sealed record BudgetRefusal(BudgetLimit Budget, MicroUsd Spent, DateTimeOffset ResetsAt)
{
    /// <summary>
    /// Set when the budget was not used up but has less left than this call's prompt costs (the part no shorter reply
    /// can save); null when the budget is used up.
    /// </summary>
    public MicroUsd? Needed { get; init; }

    public string ToUserMessage(DateTimeOffset now)
    {
        TimeSpan wait = ResetsAt - now;
        // Invariant: the user reads the same date and time format whatever culture the host runs in.
        string inTime = wait.TotalHours >= 24
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)wait.TotalDays} d {wait.Hours} h")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)wait.TotalHours} h {wait.Minutes} min");
        string resets = string.Create(CultureInfo.InvariantCulture, $"It resets at {ResetsAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC (in {inTime}).");
        if (Needed is { } needed)
        {
            MicroUsd left = Budget.Limit - Spent;
            return string.Create(CultureInfo.InvariantCulture, $"Sorry, {Budget.Name} of {Budget.Limit} has only {left} left, less than the {needed} this message needs before any reply. ") +
                $"A shorter message, or /reset (which drops the history sent along), may fit. {resets}";
        }

        return string.Create(CultureInfo.InvariantCulture, $"Sorry, {Budget.Name} of {Budget.Limit} is used up ({Spent} spent). {resets}");
    }
}
