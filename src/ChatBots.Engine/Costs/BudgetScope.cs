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

/// <summary>Why a call was refused: which budget, what was spent, when it resets.</summary>
public sealed record BudgetRefusal(BudgetLimit Budget, MicroUsd Spent, DateTimeOffset ResetsAt)
{
    public string ToUserMessage(DateTimeOffset now)
    {
        TimeSpan wait = ResetsAt - now;
        string inTime = wait.TotalHours >= 24 ? $"{(int)wait.TotalDays} d {wait.Hours} h" : $"{(int)wait.TotalHours} h {wait.Minutes} min";
        return $"Sorry, {Budget.Name} of {Budget.Limit} is used up ({Spent} spent). It resets at {ResetsAt:yyyy-MM-dd HH:mm} UTC (in {inTime}).";
    }
}
