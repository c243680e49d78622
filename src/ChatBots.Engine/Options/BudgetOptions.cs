using System.ComponentModel.DataAnnotations;

namespace ChatBots.Engine.Options;

/// <summary>
/// Spending limits in US dollars; empty means no limit. Days and months are UTC. Section <c>Budgets</c>.
/// </summary>
public sealed class BudgetOptions
{
    public const string Section = "Budgets";

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Budgets:UserDailyUsd must be a dollar amount between 0 and 1000000.")]
    public decimal? UserDailyUsd { get; set; }

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Budgets:UserMonthlyUsd must be a dollar amount between 0 and 1000000.")]
    public decimal? UserMonthlyUsd { get; set; }

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Budgets:ConversationDailyUsd must be a dollar amount between 0 and 1000000.")]
    public decimal? ConversationDailyUsd { get; set; }

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Budgets:ConversationMonthlyUsd must be a dollar amount between 0 and 1000000.")]
    public decimal? ConversationMonthlyUsd { get; set; }

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Budgets:GlobalMonthlyUsd must be a dollar amount between 0 and 1000000.")]
    public decimal? GlobalMonthlyUsd { get; set; }
}
