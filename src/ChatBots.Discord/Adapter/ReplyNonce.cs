using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatBots.Engine.Conversations;

namespace ChatBots.Discord.Adapter;

/// <summary>
/// The create-message nonce of one logical reply part: the trigger's id (a message or interaction snowflake, at most 20
/// digits), a letter for the reply kind and the part's index within that kind, e.g. <c>1234…5678a0</c>. The same part
/// sent again (a retry, or the stored answer re-sent for an event Discord replayed after a crash) carries the same
/// nonce, and with <c>enforce_nonce</c> Discord returns the message it already created instead of posting it twice.
/// </summary>
internal static class ReplyNonce
{
    public static string For(string triggerId, ReplyKind kind, int partIndex)
    {
        string nonce = string.Create(CultureInfo.InvariantCulture, $"{triggerId}{Letter(kind)}{partIndex}");
        if (nonce.Length <= DiscordLimits.NonceLength)
        {
            return nonce;
        }

        // Not a snowflake, or an absurd part count: still deterministic, within the limit.
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nonce)))[..DiscordLimits.NonceLength];
    }

    private static char Letter(ReplyKind kind) => kind switch
    {
        ReplyKind.Answer => 'a',
        ReplyKind.Transcript => 't',
        ReplyKind.Command => 'c',
        ReplyKind.Notice => 'n',
        ReplyKind.Error => 'e',
        _ => 'x',
    };
}
