using System.ComponentModel.DataAnnotations;

namespace ChatBots.Telegram;

/// <summary>
/// How a reply Telegram did not take is delivered again while the bot runs (section <c>Telegram:Redelivery</c>): after
/// <see cref="FirstDelay"/>, then at doubling intervals up to <see cref="MaxDelay"/>, until <see cref="GiveUpAfter"/>
/// has passed since the first failure.
/// </summary>
public sealed class TelegramRedeliveryOptions
{
    /// <summary>The wait after the first failed delivery.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Telegram:Redelivery:FirstDelay must be between 00:00:01 and 01:00:00.")]
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait between two attempts (the wait doubles up to it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Telegram:Redelivery:MaxDelay must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after its first failed delivery a message is given up on (logged, not retried after a restart either).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Telegram:Redelivery:GiveUpAfter must be between 00:01:00 and 7.00:00:00.")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The wait after the <paramref name="failures"/>-th failed delivery in a row.</summary>
    public TimeSpan DelayAfter(int failures)
    {
        double factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(FirstDelay.Ticks * factor, Math.Max(FirstDelay.Ticks, MaxDelay.Ticks)));
    }
}
