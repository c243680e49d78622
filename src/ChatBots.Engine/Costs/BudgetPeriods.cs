namespace ChatBots.Engine.Costs;

/// <summary>Budget days and months are UTC calendar days and months.</summary>
public static class BudgetPeriods
{
    public static DateTimeOffset DayStart(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    public static DateTimeOffset MonthStart(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset NextDay(DateTimeOffset now) => DayStart(now).AddDays(1);

    public static DateTimeOffset NextMonth(DateTimeOffset now) => MonthStart(now).AddMonths(1);
}
